"""Every user-facing string of the app, keyed by id, in English (``EN``, here) and 中文 (``ZH``, in
``text_zh.py``). Use ``T["id"]`` and ``.format(...)`` for the placeholders.

``T`` looks the key up in the current language, which comes from a *language source*: a function
that the app installs once (``ui.core.nav`` reads the session's choice, kept in the URL as
``?lang=zh``). This module stays Streamlit-free; tests call ``set_language_source`` themselves.
A key missing from a table falls back to English (tests check that none is missing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

EN: dict[str, str] = {
    # app and navigation
    "app_title": "AE/VAE Latent Explorer",
    "nav_home": "Home",
    "nav_train": "Train",
    "nav_rec": "Reconstructions",
    "nav_map": "Latent map",
    "nav_grid": "Latent grid",
    "nav_cmp": "AE vs VAE",
    "nav_mod": "Models",
    # sidebar
    "sb_title": "Explorer",
    "sb_language": "Language / 语言",
    "sb_dataset": "Dataset",
    "sb_ae": "Autoencoder (AE)",
    "sb_vae": "Variational autoencoder (VAE)",
    "sb_cvae": "Conditional VAE (CVAE)",
    "sb_no_kind": "No {kind} trained on {dataset} yet.",
    "sb_no_models": "No models for {dataset} yet: train one (a minute on digits) or upload a file on the Models page.",
    "sb_go_train": "Train a model",
    "sb_data_expander": "Data folder",
    "sb_data_dir": "Data folder",
    "sb_data_dir_help": "Where mnist.npz, fashion_mnist.npz and cifar10.npz are looked for. Nothing is downloaded.",
    "sb_bad_file": "Skipped: {msg}",
    "sb_no_data": "{dataset}: no data found (see the page for what to place where).",
    "sb_sample": "Showing the shipped test sample of {dataset} ({n:,} images). Put the full npz in the data folder for everything.",
    "sb_full": "{train:,} train and {test:,} test images.",
    "sb_model_label": "{name} ({d}, {source})",
    "sb_model_dim": "{d}-D",
    "sb_model_map": "map",
    "source_shipped": "shipped",
    "source_yours": "yours",
    # shared
    "need_data": "The dataset {dataset} is not available: {err}",
    "need_models": "This page needs trained models for {dataset} ({kinds}). Train one or choose another dataset in the sidebar.",
    "pick_model": "Model",
    "pick_label": "Class to generate (the CVAE's label y)",
    "spin_load_model": "Loading the model…",
    "spin_load_data": "Loading the dataset…",
    "spin_encode": "Encoding the images…",
    "spin_project_n": "Projecting {n:,} latents to 2-D with {method}: about {wait} on this server…",
    "spin_umap_compiling": "The first UMAP after a server start also compiles its code (about {wait} more).",
    "map_tsne_long": "t-SNE of {n:,} points takes about {wait} on this server (UMAP about {umap}, PCA under a second). "
                     "Start it, or choose fewer points; once computed it stays until the server restarts.",
    "map_tsne_go": "Compute t-SNE (about {wait})",
    "spin_grid_inverse": "Mapping the grid back to the latent space…",
    "spin_decode_grid": "Decoding the grid…",
    "spin_hover": "Decoding the hover preview…",
    "spin_errors": "Reconstructing the test images…",
    "spin_metrics": "Computing the metrics…",
    "kind_name": "{kind} · {name}",
    "index_of": "index: {i}",
    "label_of": "label: {label}",
    "backbone_conv": "conv",
    "backbone_resconv": "resconv",
    "backbone_mlp": "mlp",
    # class names of the builtin datasets (vae_core.data.BUILTIN), shown through text.class_name
    "class_fashion-mnist_0": "T-shirt/top",
    "class_fashion-mnist_1": "Trouser",
    "class_fashion-mnist_2": "Pullover",
    "class_fashion-mnist_3": "Dress",
    "class_fashion-mnist_4": "Coat",
    "class_fashion-mnist_5": "Sandal",
    "class_fashion-mnist_6": "Shirt",
    "class_fashion-mnist_7": "Sneaker",
    "class_fashion-mnist_8": "Bag",
    "class_fashion-mnist_9": "Ankle boot",
    "class_cifar10_0": "airplane",
    "class_cifar10_1": "automobile",
    "class_cifar10_2": "bird",
    "class_cifar10_3": "cat",
    "class_cifar10_4": "deer",
    "class_cifar10_5": "dog",
    "class_cifar10_6": "frog",
    "class_cifar10_7": "horse",
    "class_cifar10_8": "ship",
    "class_cifar10_9": "truck",
    # home
    "home_title": "AE/VAE Latent Explorer",
    "home_intro": "Look inside trained autoencoders (AE) and variational autoencoders (VAE): what they keep, "
                  "where they put each image, and what lives between the images.",
    "home_body": (
        "An **autoencoder** squeezes an image x into a short code z with an *encoder* and rebuilds it with a "
        "*decoder*. A **variational autoencoder** does the same with probabilities: the encoder gives a "
        "distribution q(z|x), and the training keeps these close to a simple prior p(z) = N(0, I), so that "
        "decoding a random z from the prior gives a new, plausible image.\n\n"
        "Pick a dataset and a pair of models in the sidebar, then compare their reconstructions, click through "
        "their latent spaces, and decode any point you like."),
    "home_diagram_caption": "Generation runs left to right (prior → decoder → image); inference runs back "
                            "(image → encoder → latent). An AE has the encoder and the decoder but no prior.",
    "home_no_models": "No trained models were found. Train one on the Train page (digits trains in seconds, offline).",
    "dia_z": "z ~ p(z) = N(0, I)",
    "dia_dec": "decoder p(x|z)",
    "dia_x": "image x",
    "dia_enc": "encoder q(z|x)",
    "dia_generation": "generation",
    "dia_inference": "inference",
    # train
    "train_title": "Train a model",
    "train_intro": "Train an AE or a VAE here, with live curves. Training runs in the background: the app stays "
                   "usable. The file is saved in your models folder and selected in the sidebar when done.",
    "train_dataset": "Dataset",
    "train_dataset_help": "digits ships with scikit-learn and works offline; the others need their npz in the data folder.",
    "train_kind": "Model",
    "train_kind_help": "AE + VAE trains both with identical settings, one after the other, in one job: a fair "
                       "comparison in one click (the CVAE too with AE + VAE + CVAE). All land in the sidebar.",
    "train_backbone": "Backbone",
    "train_latent": "Latent dimensions",
    "train_epochs": "Epochs",
    "train_batch": "Batch size",
    "train_seed": "Seed",
    "train_lr": "Learning rate",
    "train_lr_schedule": "Learning-rate schedule",
    "train_lr_schedule_help": "constant: the same rate every step. cosine: the rate falls along half a cosine "
                              "from the value above towards 0 at the last step (Loshchilov & Hutter, 2017); the shipped "
                              "AE/VAE pairs were trained so.",
    "lr_schedule_constant": "constant",
    "lr_schedule_cosine": "cosine",
    "train_beta": "β (weight of the KL term)",
    "train_beta_help": "Loss per image = reconstruction + β·KL(q(z|x) ‖ N(0, I)). Used by the VAE only.",
    "train_go": "Train",
    "train_cancel": "Cancel",
    "train_need_full": "Training needs the full {dataset} dataset (train split); only a test sample is available. "
                       "Place its npz in the data folder.",
    "train_status_queued": "Starting…",
    "train_status_running": "Epoch {epoch}/{epochs} · {pct:.0f}%",
    "train_model_of": "Model {i} of {n} ({kind})",
    "train_status_evaluating": "Evaluating on the test split and saving…",
    "train_status_done": "Done",
    "train_status_cancelled": "Cancelled at epoch {epoch}/{epochs}",
    "train_status_error": "Stopped with an error",
    "train_cancelled": "Training was cancelled; nothing was saved.",
    "train_saved": "Saved {path}. It is now selected in the sidebar.",
    "curve_loss": "Loss per image",
    "curve_parts": "Reconstruction and KL",
    "curve_train_step": "train (per step)",
    "curve_recon_step": "recon (per step)",
    "curve_kl_step": "KL (per step)",
    "curve_epoch": "epoch",
    "curve_train_loss": "train loss",
    "curve_test_loss": "test loss",
    "curve_train_recon": "train recon",
    "curve_test_recon": "test recon",
    "curve_train_kl": "train kl",
    "curve_test_kl": "test kl",
    # hardening
    "hard_ds_outside": "{file} names the dataset {dataset}, which is outside the data folder",
    "hard_ds_unknown": "{file} names the dataset {dataset}, which is not one this app reads "
                       "({names}, or folder:/npz: inside the data folder)",
    "hard_ds_refused": "The dataset {dataset} is not read here: only {names}, or folder:/npz: inside the data folder.",
    "hard_bad_meta": "{file}: malformed metadata ({err})",
    "hard_upload_pickle": "{file}: {suffix} files are pickle-based and are never loaded here; save the model as "
                          ".safetensors (python -m vae_core train --out FILE.safetensors)",
    "hard_upload_big": "{file}: {mb:.0f} MB is over the {limit} MB limit",
    "hard_upload_same": "Already there as {name} (the same file); it is now selected in the sidebar.",
    "hard_one_job": "You already have a training running: cancel it or wait until it ends.",
    "hard_server_busy": "The server is already running {n} training job(s), its limit: try again when one has ended.",
    "hard_job_timeout": "Training was stopped after {limit}, the server's time limit per job; nothing was saved.",
    "hard_job_gone": "Training was stopped: its browser session had not been seen for {limit}; nothing was saved.",
    "hard_eta": "about {eta} left",
    "hard_job_crashed": "Training stopped with an unexpected error (the details are in the server's log).",
    "hard_sb_training": "Training {kind} on {dataset}: {pct:.0f}%",
    "hard_dur_s": "{s} s",
    "hard_dur_m": "{m} min {s:02d} s",
    "hard_dur_h": "{h} h {m:02d} min",
    "hard_job_settings": "This run: {dataset} · {kind} · {backbone} · latent {latent} · {epochs} epochs · "
                         "batch {batch} · lr {lr:g} ({schedule}) · β {beta:g} · seed {seed}",
    "hard_collapse": "The KL of this VAE is {kl:.2f} nats per image, below 0.5: its posterior collapsed and the "
                     "latent carries almost nothing about the image. Hint: train longer, lower β, or use KL warm-up.",
    "hard_manage_title": "Your models",
    "hard_manage_intro": "Models you trained or uploaded (shipped models cannot be changed).",
    "hard_manage_none": "No models of yours yet: train one, or upload a file below.",
    "hard_manage_pick": "Model",
    "hard_manage_new": "New name",
    "hard_manage_rename": "Rename",
    "hard_manage_confirm": "Yes, delete it for good",
    "hard_manage_delete": "Delete",
    "hard_renamed": "Renamed {old} to {new}.",
    "hard_deleted": "Deleted {name}.",
    "hard_name_bad": "“{name}” cannot be a name: use letters, digits, '-', '_' and '.' (up to 80, "
                     "starting with a letter or a digit).",
    "hard_name_taken": "{name} already exists: choose another name.",
    "hard_not_yours": "{name} is not in your models folder: only your own models can be renamed or deleted.",
    "hard_data_dir_fixed": "On this shared server the data folder is the server's (VAE_EXPLORER_DATA).",
    # reconstructions
    "rec_title": "Reconstructions",
    "rec_intro": "Test images, with what each model rebuilds from its latent code. The images a model rebuilds "
                 "worst are the ones it finds unusual: sort by error to find the anomalies.",
    "rec_n": "Images",
    "rec_mode": "Which images",
    "rec_mode_first": "first",
    "rec_mode_random": "random",
    "rec_mode_indices": "by index",
    "rec_mode_worst": "worst for the {kind}",
    "rec_indices": "Indices (e.g. 3, 10-12)",
    "rec_shuffle": "New random images",
    "rec_none": "No valid index: type numbers between 0 and the number of test images − 1.",
    "rec_row_original": "Original",
    "rec_row_model": "{kind} ({name})",
    "rec_err": "MSE {e:.4f}",
    "rec_hist_caption": "The distribution of the per-image error over the whole test split; the long right tail holds the anomalies.",
    "rec_hist_title": "Reconstruction error per image",
    "rec_err_axis": "MSE per pixel",
    # latent map
    "map_title": "Latent map",
    "map_intro": "Every test image (or, with “train + test”, every image of both splits) as a point: its latent "
                 "code projected to 2-D, coloured by its label. Click a point to see the image, its reconstruction "
                 "and its nearest neighbours; draw a box or a lasso to select many.",
    "map_axis_class": "class (jittered)",
    "map_method_strip": "the 1-D latent against the class",
    "map_latent_itself": "The latent has {d} dimension(s): the map shows it as it is, with no projection.",
    "map_method": "Projection",
    "map_method_pca": "PCA",
    "map_method_umap": "UMAP",
    "map_method_tsne": "t-SNE",
    "map_method_identity": "the 2-D latent itself",
    "map_points": "Points",
    "map_points_all": "all",
    "map_umap_mode": "UMAP",
    "map_umap_fast": "fast (parallel)",
    "map_umap_reproducible": "reproducible (slower)",
    "map_sigma": "Show σ ellipses",
    "map_sigma_help": "Each point's posterior spread q(z|x): one standard deviation, seen in the plane.",
    "map_sigma_trace": "σ (1 std)",
    "map_selected": "selected",
    "map_fig_title": "{kind} latents · {method} · {n:,} test images",
    "map_click_hint": "Click a point to decode it; box or lasso select (toolbar) to see a group.",
    "map_not_shown": "Index {i} is not among the points shown.",
    "map_original": "original",
    "map_decoded": "decoded from its latent",
    "map_label": "label",
    "map_latent_vector": "latent z ({d} numbers; VAE: μ±σ)",
    "map_latent_more": " … and {n} more",
    "map_neighbours": "The {k} nearest neighbours in latent space",
    "map_mean_decoded": "decoded mean latent",
    "map_selection": "**{n} points selected** (the first 32 shown). Left: the decoded mean of their latents.",
    "map_download": "Download latents and 2-D coordinates (CSV)",
    "map_source": "Points from",
    "map_source_test": "test split",
    "map_source_all": "train + test",
    "map_source_help": "The test split alone (the images the model never saw), or the train and test splits together "
                       "(MNIST: 70,000 points). Hover and the details say which split a point comes from.",
    "map_fig_title_all": "{kind} latents · {method} · {n:,} images (train + test)",
    "split_train": "train",
    "split_test": "test",
    "split_tag": " ({split})",
    "map_tsne_hidden": "t-SNE is offered up to {max:,} points: scikit-learn's t-SNE runs on the CPU and grows faster "
                       "than the point count, so {n:,} points would take about {est} here. Choose {max:,} points or "
                       "fewer for t-SNE, or use UMAP.",
    "map_umap_status": "UMAP of {n:,} points: about {est} on a 2-core CPU…",
    "map_umap_why": "Computed once: the result is kept on disk for this model and these points, so coming back "
                    "(or a restart) shows it at once. You can leave this page meanwhile; the fit goes on.",
    "map_umap_step1": "Step 1 of 2: the nearest-neighbour graph and the initial layout (estimated {est})",
    "map_umap_step1_first": "Step 1 of 2: the nearest-neighbour graph and the initial layout (estimated {est}, with "
                            "about {c} of compiling UMAP's code, once per server start)",
    "map_umap_step2": "Step 2 of 2: optimising the layout, epoch {e} of {n}",
    "map_umap_done": "UMAP of {n:,} points done in {s}",
    # latent grid
    "grid_title": "Latent grid",
    "grid_intro": "Images decoded from an evenly spaced grid of points in a plane of the latent space. Hover for "
                  "a preview, click any cell to decode it large; zoom into a region with the range controls.",
    "grid_plane_identity": "The latent is 2-D: the grid covers the latent itself.",
    "grid_method": "Plane",
    "grid_method_pca": "PCA plane (exact inverse)",
    "grid_method_umap": "UMAP plane (inverse transform, slow once)",
    "grid_n": "Grid size n",
    "grid_strip": "A 1-D latent has no plane: the row decodes z₁ from the lowest to the highest value the test "
                  "images take. Choose any z₁ below to decode it live.",
    "grid_strip_z": "z₁",
    "grid_overlay": "Show data points",
    "grid_range": "Range (zoom in on a region)",
    "grid_zoom": "Zoom",
    "grid_cx": "Centre x (fraction of the full range)",
    "grid_cy": "Centre y (fraction of the full range)",
    "grid_far": "⊠ {k} of {n} cells have no encoded test image in or next to them: UMAP's inverse map only "
                "extrapolates there (its images repeat the edge of the data).",
    "grid_click_hint": "Click a cell to decode its point at a large size.",
    "grid_decoded": "decoded live",
    "grid_plane": "plane point",
    "grid_cell": "cell: ({r}, {c})",
    "grid_hover_title": "Hover preview",
    "grid_hover_hint": "Hover preview: the image at the point of the plane under the pointer, from a finer "
                       "{nf}×{nf} grid decoded once and kept in your browser, so it follows the pointer with no "
                       "round trip. A click decodes the cell exactly, on the server.",
    "grid_hover_pad": "Map of the {nf}×{nf} fine grid: point at it.",
    "grid_hover_idle": "Point at the grid.",
    "grid_hover_cell": "fine cell ({r}, {c}) · plane point ({x}, {y})",
    # generate
    "nav_gen": "Generate",
    "gen_title": "Generation and inference",
    "gen_intro": "Generation runs the model forwards: z ~ p(z), then x ~ p(x|z). Inference runs it backwards: "
                 "from an image x to its posterior q(z|x). Sample, condition on a class, interpolate, sweep one "
                 "dimension at a time, and see the posterior of one image.",
    "gen_tab_prior": "Prior samples",
    "gen_tab_cvae": "Conditional (CVAE)",
    "gen_tab_interp": "Interpolation",
    "gen_tab_traverse": "Traversal",
    "gen_tab_posterior": "Posterior (inference)",
    "gen_tab_beta": "β trade-off",
    "gen_prior_explain": "Each image decodes z = T·ε with ε ~ N(0, I). The VAE was trained so that such z land "
                         "where its codes are; the AE was not, so its samples fall into **holes** between codes or "
                         "pile up in the few regions its codes happen to share with the prior. Two numbers under "
                         "each mosaic, from a classifier trained on real images: the share of samples it labels "
                         "with confidence ≥ 0.9, and how many classes those labels cover.",
    "gen_temperature": "Temperature T (the scale of ε)",
    "gen_temperature_help": "T < 1 draws nearer the prior's centre (cleaner, less varied); T > 1 further out.",
    "gen_n": "Samples",
    "gen_draw_again": "Draw again",
    "gen_prior_caption": "{kind} · {name}",
    "gen_confident": "Of {n} samples, {share:.0%} are classified with confidence ≥ 0.9 (mean confidence {mean:.2f}); "
                     "their predicted classes spread like {classes:.1f} equally common classes out of {k}. A high "
                     "confidence over few classes means the samples cover only part of the data.",
    "gen_metric_confident": "confident (≥ 0.9)",
    "gen_metric_classes": "classes covered",
    "gen_plane_identity": "the latent plane z₁, z₂",
    "gen_plane_pca": "the PCA plane",
    "gen_plane_strip": "its 1-D latent z₁ (against the class)",
    "gen_post_1d": "A 1-D latent: q(z|x) = N({mu:.3f}, {sigma:.3f}²).",
    "gen_no_classifier": "No classifier is shipped for {dataset}, so the holes number is not shown.",
    "gen_cvae_explain": "A conditional VAE learns p(x|z, y): the label y says *what* to draw (the content), z says "
                        "*how* (the style: slant, thickness, …). Choose a class, or see one z decoded with every class.",
    "gen_cvae_need": "No conditional VAE (CVAE) for {dataset}. Choose one in the sidebar, or train one on the Train page.",
    "gen_class": "Class y",
    "gen_class_samples": "{n} samples of class {label}",
    "gen_class_acc": "The classifier labels {acc:.1%} of {n} samples of this class as {label}.",
    "gen_style_content": "Style versus content: each row is one z, each column one class",
    "gen_rows": "Rows (different z)",
    "gen_interp_explain": "Encode two test images, walk between their latents and decode every step. **Linear** "
                          "interpolation cuts through the middle of the prior, where ‖z‖ is atypically small; "
                          "**spherical** (slerp) follows the great circle and keeps the norm of a typical prior draw.",
    "gen_interp_click": "Click two points on the map (first A, then B), or type their indices.",
    "gen_interp_next": "The next click sets",
    "gen_interp_a": "Image A (test index)",
    "gen_interp_b": "Image B (test index)",
    "gen_interp_steps": "Steps",
    "gen_interp_row": "{kind} · {method} · from #{a} to #{b}",
    "gen_interp_map": "Test images in the {kind}'s latent space: {method}",
    "gen_method_linear": "linear",
    "gen_method_slerp": "spherical (slerp)",
    "gen_traverse_explain": "Take one image's latent and change one coordinate at a time: over μ ± 3σ of its own "
                            "posterior for a VAE, over the range the data's codes take for an AE. Dimensions are "
                            "ordered by their KL (the ones the VAE uses first); a collapsed dimension changes nothing.",
    "gen_index": "Test image (index)",
    "gen_dims": "Dimensions shown",
    "gen_traverse_row": "Rows: dimensions {dims} (most KL first); columns: from −3σ to +3σ",
    "gen_traverse_row_ae": "Rows: dimensions {dims}; columns: across the range of the data's codes",
    "gen_posterior_explain": "The encoder does not give one z but a distribution q(z|x) = N(μ, σ²). Sampling "
                             "z = μ + σ·ε (the **reparameterization trick**: the randomness sits in ε, so the "
                             "gradient flows through μ and σ) and decoding gives variations of the same image.",
    "gen_post_mean": "decoded μ",
    "gen_post_draws": "16 draws z = μ + σ·ε, decoded",
    "gen_post_ellipse": "q(z|x) on {plane} (zoomed in: double-click for all)",
    "gen_post_points": "test images",
    "gen_post_mu": "μ of this image",
    "gen_post_draw": "draws",
    "gen_post_ae": "An AE has no posterior: its encoder gives one point, so every draw is the same reconstruction.",
    "gen_kl_title": "KL per latent dimension (mean over {n} test images)",
    "gen_kl_axis": "nats",
    "gen_kl_dim": "dimension",
    "gen_active": "Active units (mean KL > 0.01 nats): **{active} of {d}**. The others collapsed to the prior and carry nothing.",
    "gen_beta_explain": "The VAE loss is distortion + β·rate: D = −E[log p(x|z)] (reconstruction) and R = KL(q(z|x) ‖ p(z)). "
                        "Training with several β and plotting R against D draws the trade-off: a larger β buys a "
                        "simpler latent code (lower rate) with blurrier reconstructions (higher distortion).",
    "gen_beta_run": "Train the β sweep ({n} VAEs, ≈ {secs:.0f} s)",
    "gen_beta_need_full": "The sweep trains on the full training split; only a test sample of {dataset} is here.",
    "gen_beta_running": "Training β = {beta} ({i}/{n})…",
    "gen_beta_done": "Trained {n} MLP VAEs (784–400–d, the classic example) on {n_train:,} images for {epochs} "
                      "epochs each; cached on disk. The stars: the models in the sidebar, trained fully.",
    "gen_beta_fig": "Rate–distortion of β (test split, nats per image)",
    "gen_beta_rate": "rate: KL (nats)",
    "gen_beta_distortion": "distortion: reconstruction (nats)",
    "gen_beta_sweep": "β sweep (subset, {epochs} epochs)",
    "gen_beta_shipped": "models in the sidebar (full training)",
    "gen_need_vae": "This view needs a VAE or a CVAE for {dataset}.",
    # uses
    "nav_use": "Uses",
    "use_title": "What autoencoders are for",
    "use_intro": "Six uses of an encoder and a decoder, each measured on the test images: compression, denoising, "
                 "filling missing pixels, spotting anomalies and other datasets, features that need few labels, "
                 "and new training images.",
    "use_tab_compression": "Compression",
    "use_tab_denoising": "Denoising",
    "use_tab_filling": "Filling missing values",
    "use_tab_anomaly": "Anomalies and OOD",
    "use_tab_features": "Feature extraction",
    "use_tab_augmentation": "Data augmentation",
    "use_spin_models": "Measuring {n} model(s) on {images:,} test images (once; cached afterwards)…",
    "use_spin_feat": "Encoding the labelled images and training the classifiers (once; cached afterwards)…",
    "use_spin_aug": "Generating images and training the classifiers (once; cached afterwards)…",
    "use_col_model": "model",
    "use_psnr_axis": "PSNR (dB, higher is better)",
    "use_index": "First test image shown",
    "use_index_one": "Test image (index)",
    "use_original_row": "original ({b} bytes each at 8 bits per pixel)",
    # words inside the formulas (\text{…} of st.latex)
    "use_tex_ratio": "ratio",
    "use_tex_byte": "byte",
    "use_tex_bytes": "bytes",
    "use_tex_codes": "-bit codes, decoded from the cell centre)",
    "use_tex_or_sp": "or salt-and-pepper",
    "use_tex_gain": "gain",
    "use_tex_dae": "denoising AE:",
    "use_tex_noisy_in": "(noisy in, clean target)",
    "use_tex_known": "known",
    "use_tex_missing": "missing",
    "use_tex_rec": "rec",
    "use_tex_other": "other",
    "use_tex_own": "own",
    "use_tex_latent": "(latent)",
    "use_tex_vs": "vs",
    "use_tex_pixels": "(pixels)",
    "use_tex_and": "and",
    "use_tex_class": "(CVAE, class ",
    "use_sample_split": "Only the shipped test sample of {dataset} is here (no train split): each class of the sample "
                        "is cut in two halves, the first half gives the labelled images and the second the test images. "
                        "Put the full npz in the data folder for the real numbers.",
    "use_cmp_explain": "The encoder turns an image into d numbers; store those instead of the pixels and the decoder "
                       "rebuilds the image. A float32 latent takes 4·d bytes; **quantised** to b bits per number "
                       "(uniform over each dimension's range on the data, decoded from the cell centre) it takes d·b/8 "
                       "bytes. The plot puts every model of this dataset on the rate–distortion plane: bytes per "
                       "image against the PSNR of what comes back.",
    "use_cmp_axis": "x axis",
    "use_cmp_axis_bytes": "bytes per image (log)",
    "use_cmp_axis_ratio": "compression ratio (log)",
    "use_cmp_fig": "Rate–distortion of every model of the dataset",
    "use_cmp_fig_raw": " (raw: {b} B)",
    "use_cmp_hover": "{name}<br>%{{customdata[2]}} bits: %{{customdata[0]:g}} bytes, ratio %{{customdata[1]:.1f}}×<br>"
                     "PSNR %{{y:.2f}} dB",
    "use_cmp_col_float": "float32 · dB",
    "use_cmp_col_8": "8-bit · dB",
    "use_cmp_col_4": "4-bit · dB",
    "use_cmp_caption": "Bytes per image and mean PSNR (dB) over the first {n:,} test images; raw image {raw} bytes; "
                       "markers: ● float32, ■ 8-bit, ◆ 4-bit. The quantiser's range "
                       "(2·d floats) is stored once per dataset, not per image; a CVAE also needs its label (1 byte).",
    "use_cmp_metric": "Best 8-bit PSNR: {name}",
    "use_cmp_picture": "See it: the same test images decoded from their stored latents",
    "use_cmp_bits_pick": "Bits per latent number",
    "use_cmp_row": "{name}: decoded from {d} numbers × {bits} bits = {b:g} bytes ({ratio:.0f}× smaller)",
    "use_dn_explain": "Corrupt a test image, encode the noisy version, decode: does the reconstruction come closer to "
                      "the clean image than the noisy input was? The noisy input itself is the baseline (the identity, "
                      "no model). A **denoising autoencoder** is trained for exactly this: the noisy image in, the "
                      "clean image as the target (`python -m vae_core train … --noise gaussian:0.3`).",
    "use_dn_kind": "Noise",
    "use_dn_gaussian": "Gaussian (σ)",
    "use_dn_saltpepper": "salt and pepper (p)",
    "use_dn_spec_gaussian": "gaussian:{level:g}",
    "use_dn_spec_saltpepper": "saltpepper:{level:g}",
    "use_dn_sigma": "Strength σ (standard deviation, pixels in [0, 1])",
    "use_dn_p": "Strength p (share of pixels set to black or white)",
    "use_dn_clean_row": "clean",
    "use_dn_noisy_row": "noisy input ({spec}): {psnr:.2f} dB on average",
    "use_dn_model_row": "{name}: {psnr:.2f} dB on average",
    "use_dn_fig": "Mean PSNR against the clean image",
    "use_dn_identity": "noisy input (no model)",
    "use_dn_recon": "reconstruction of the noisy input",
    "use_dn_col_recon": "denoised dB",
    "use_dn_col_gain": "gain dB",
    "use_dn_col_clean": "clean in, dB",
    "use_dn_caption": "Over the first {n:,} test images, the same noise for every model. \"clean in\": the "
                      "reconstruction of the uncorrupted image, the best the model can do.",
    "use_dn_metric": "Best denoiser: {name}",
    "use_dn_lesson": "A model trained on clean images only has never seen noise: its encoder maps a noisy image "
                     "somewhere it was not trained for, and the reconstruction can be worse than the noisy input "
                     "(red bars). The denoising AE learned to remove the noise (green).",
    "use_fill_explain": "Some pixels are missing (m = 0). Start from the mean of the known pixels, then repeat: encode, "
                        "decode, and put the known pixels back. Each round pulls the image towards what the model "
                        "can represent while it stays true to what is known. Try a large box (the bottom half): "
                        "a 2-D latent, which can only describe whole digits, still fills it in, while a 16-D "
                        "latent copies what it sees and may do no better than the mean fill.",
    "use_fill_mode": "Missing pixels",
    "use_fill_box": "a box",
    "use_fill_random": "random pixels",
    "use_fill_fraction": "Share of pixels missing",
    "use_fill_top": "Box top (row)",
    "use_fill_left": "Box left (column)",
    "use_fill_h": "Box height",
    "use_fill_w": "Box width",
    "use_fill_iters": "Iterations K",
    "use_fill_masked_row": "what is known (missing in red)",
    "use_fill_mean_row": "mean fill (the baseline)",
    "use_fill_filled_row": "{name}: filled after K = {k} iterations",
    "use_fill_orig_row": "original",
    "use_fill_fig": "MSE on the missing pixels after each iteration (0 = the mean fill)",
    "use_fill_iter_axis": "iteration k",
    "use_fill_mse_axis": "MSE on the missing pixels",
    "use_fill_hover": "iteration %{x}: MSE %{y:.4f}",
    "use_fill_col_mean": "mean fill",
    "use_fill_col_model": "model fill",
    "use_fill_col_gain": "removed",
    "use_fill_metric": "Missing-pixel MSE, {name}",
    "use_fill_vs_mean": "vs the mean fill",
    "use_fill_caption": "Over the first {n:,} test images with the mask above (random masks: drawn per image), "
                        "K = {k}. The mean fill sets every missing pixel to the mean of the image's known pixels.",
    "use_an_explain": "A model rebuilds best what looks like its training data. Score each image by how badly it is "
                      "rebuilt (reconstruction error) or, for a VAE, by its −ELBO (an upper bound on −log p(x); one "
                      "posterior sample here): a high score means unusual. Ranking the test images finds the odd "
                      "ones; feeding in **another dataset** measures how well the score tells it apart (ROC, AUC).",
    "use_an_score": "Score",
    "use_an_recon": "reconstruction error (MSE per pixel)",
    "use_an_elbo": "−ELBO (nats per image)",
    "use_an_recon_short": "recon. error",
    "use_an_elbo_short": "−ELBO",
    "use_an_no_cvae": "The CVAE is left out here: it needs the label, which an image from elsewhere does not have.",
    "use_an_need": "This view needs an AE or a VAE for {dataset}.",
    "use_an_top": "The {n} most anomalous of the first {total:,} test images (index · label · score)",
    "use_an_typical": "The {n} most typical ones",
    "use_an_ood": "Out of distribution: another dataset through the model",
    "use_an_no_partner": "{dataset} has no partner here: the other builtins are 28×28 grey, {dataset}'s images are "
                         "another shape, so no other dataset can go through its models.",
    "use_an_no_other": "The other dataset ({other}) is not available: {err}",
    "use_an_shape": "{other} has images {a}; the models expect {b}.",
    "use_an_roc": "ROC: {other} (positives) against {own}'s own test images",
    "use_an_chance": "chance",
    "use_an_fpr": "false positive rate (own images flagged)",
    "use_an_tpr": "true positive rate (other images flagged)",
    "use_an_hover": "FPR %{x:.3f}, TPR %{y:.3f}",
    "use_an_auc": "AUC · {label}",
    "use_an_caption": "{n:,} {own} test images against {m:,} {other} test images. AUC = the chance that a random "
                      "{other} image scores higher than a random {own} image (0.5: no better than a coin).",
    "use_an_hist": "{kind}: the score on both datasets",
    "use_an_through": "{other} through {name} and back",
    "use_an_other_row": "{other} images",
    "use_an_other_recon": "what the {kind} makes of them",
    "use_feat_explain": "Labels are expensive, images are cheap. The encoder was trained without labels; a linear "
                        "classifier on its latent μ then needs far fewer labelled images than one on the raw pixels — "
                        "if the latent keeps enough of the image (compare the 2-D and the 16-D models). "
                        "Same classifier (logistic regression on standardised features), same labelled images, "
                        "only the features differ.",
    "use_feat_pixels": "raw pixels",
    "use_feat_fig": "Test accuracy of a linear classifier against labelled images per class",
    "use_feat_axis": "labelled images per class (log)",
    "use_feat_acc": "test accuracy",
    "use_feat_hover": "%{x} per class: %{y:.1%}",
    "use_feat_col_features": "features",
    "use_feat_col_k": "{k:,} / class",
    "use_feat_caption": "Test accuracy on {n:,} test images; the labelled images are drawn per class (seed 0) from the "
                        "train split. A CVAE's μ is given the label when encoding and so keeps less of it.",
    "use_feat_none": "Too few labelled images per class here for even 10 per class.",
    "use_feat_metric": "{k} labels per class: {name}",
    "use_feat_vs_pixels": "points vs pixels",
    "use_aug_explain": "A VAE gives new, plausible variations of an image (draws around its posterior), and a CVAE "
                       "new images of a chosen class. Can generated images stand in for missing labelled data?",
    "use_aug_posterior": "Variations of one image: draws from its posterior",
    "use_aug_need_vae": "This view needs a VAE or a CVAE for {dataset}.",
    "use_aug_draws": "16 draws z = μ + σ·ε around it, decoded ({kind})",
    "use_aug_cvae": "New images of a class (CVAE)",
    "use_aug_samples": "16 CVAE samples of class {label}",
    "use_aug_clf": "Does it help a classifier? 100 real images per class, with and without 1,000 CVAE images",
    "use_aug_real": "{n:,} real images",
    "use_aug_aug": "{n:,} real + {g:,} generated",
    "use_aug_points": "points",
    "use_aug_caption": "Logistic regression on pixels, test accuracy on {n:,} test images; the generated images are "
                       "{name}'s samples of every class in turn (100 each), labelled with the class they were asked for.",
    "use_aug_lesson": "Measured, not assumed: generated images are smoother and more alike than real ones, so a "
                      "classifier fitted partly to them learns some of the generator's style along with the classes — "
                      "they can help or hurt, and the number above says which for this model.",
    # compare
    "cmp_title": "AE vs VAE",
    "cmp_intro": "The same images through both models: numbers, latent maps, samples from the prior and "
                 "interpolations.",
    "cmp_metrics": "Metrics",
    "cmp_metrics_caption": "On the first 1,000 test images (kNN: 5 nearest train latents among the first 5,000). "
                           "Loss and its parts are per image, in training units.",
    "metric_loss": "Loss: reconstruction + β·KL (nats per image)",
    "metric_recon": "Reconstruction −log p(x|z) (nats per image)",
    "metric_kl": "KL(q(z|x) ‖ p(z)) (nats per image)",
    "metric_mse": "Mean squared error per pixel (pixels in 0…1)",
    "metric_psnr": "PSNR (dB, higher is better)",
    "metric_knn_acc": "{k}-NN accuracy of the latents (%)",
    "metric_nll_is": "−log p(x), importance sampled with K = {k} (nats per image)",
    "metric_train_seconds": "Training time",
    "metric_on_test": "measured on {n:,} test images",
    "metric_on_train": "measured on {n:,} training images",
    "metric_none_knn_sample": "— in the k-NN row: it classifies test latents by their nearest training latents, and "
                              "only the shipped test sample of {dataset} is here (no dataset file in the data folder, "
                              "no download offline).",
    "metric_none_knn": "— in the k-NN row: too few training images to find the nearest neighbours.",
    "metric_none_nll_ae": "— in the −log p(x) row for the AE: a plain autoencoder defines no probability of an image.",
    "cmp_maps": "Latent maps",
    "cmp_click_hint": "Click a point in either map: it is starred in both.",
    "cmp_recon_by": "{kind} reconstruction",
    "cmp_prior": "Samples from the prior N(0, I)",
    "cmp_prior_explain": "16 codes drawn from N(0, I) and decoded by each model. The VAE was trained to fill this "
                         "region, so its samples look like data. The AE never was: its codes sit wherever training "
                         "put them, and random codes land in the **holes of its latent space**, giving blurs and "
                         "mixtures.",
    "cmp_prior_new": "Draw again",
    "cmp_prior_ae": "AE decodes of z ~ N(0, I): the holes in its latent space",
    "cmp_prior_vae": "VAE decodes of z ~ N(0, I): new images",
    "cmp_interp": "Interpolation",
    "cmp_interp_a": "From test image",
    "cmp_interp_b": "To test image",
    "cmp_interp_method": "Path",
    "cmp_method_linear": "linear",
    "cmp_method_slerp": "slerp",
    "cmp_interp_caption": "{kind}: from #{a} to #{b}",
    # concepts
    "nav_con": "Concepts",
    "con_title": "Concepts",
    "con_intro": "The ideas behind autoencoders and VAEs, one at a time: each with its formula, a live picture "
                 "and a number, computed on toy data (no trained model needed).",
    "con_tab_models": "Three kinds of model",
    "con_tab_lvm": "Latent variable model",
    "con_tab_ae": "Autoencoder",
    "con_tab_vae": "VAE",
    "con_models_intro": "Three ways to model labelled points (x, y): predict the label from the point, describe where "
                        "the points are, or describe where the points of each label are. The last two can *generate* "
                        "new points; the last one also classifies, through Bayes' rule.",
    "con_dataset": "Toy data",
    "con_dataset_blobs": "blobs",
    "con_dataset_moons": "moons",
    "con_n": "Points",
    "con_noise": "Noise",
    "con_noise_help": "The standard deviation of the Gaussian noise around each blob centre or half moon.",
    "con_class": "class {k}",
    "con_axis_x1": "x₁",
    "con_axis_x2": "x₂",
    "con_axis_density": "density",
    "con_data": "data",
    "con_samples": "samples x ~ p(x)",
    "con_samples_of": "samples x ~ p(x | y = {name})",
    "con_means": "class means μₖ",
    "con_density": "p(x)",
    "con_selected": "chosen x",
    "con_hover_point": "x = (%{customdata[0]:.2f}, %{customdata[1]:.2f})",
    "con_hover_class_p": "p(y = {name} | x) = %{{customdata[{i}]:.3f}}",
    "con_hover_density": "x = (%{x:.2f}, %{y:.2f})<br>p(x) = %{z:.3f}",
    "con_hover_class_density": "x = (%{{x:.2f}}, %{{y:.2f}})<br>p(x | y = {name}) = %{{z:.3f}}",
    "con_disc_title": "1 · Discriminative: p(y | x)",
    "con_disc_name": "Logistic regression",
    "con_disc_body": "Models only the label given the point: a linear score per class, turned into probabilities by "
                     "the softmax. It draws boundaries but says nothing about where points are, so it cannot make "
                     "new ones.",
    "con_disc_acc": "Training accuracy",
    "con_disc_caption": "Colour = p(y | x), mixed from the class colours: pale where the model is unsure. "
                        "Hover to read it.",
    "con_disc_fig": "Decision regions of p(y | x)",
    "con_gen_title": "2 · Generative: p(x)",
    "con_gen_name": "Gaussian mixture",
    "con_gen_body": "Models the points themselves, without labels: a weighted sum of Gaussians fitted by EM. "
                    "Sampling is ancestral: pick a component c with probability πc, then draw x ~ N(μc, Σc).",
    "con_gen_k": "Components C",
    "con_gen_new": "Draw new samples",
    "con_gen_ll": "Mean log p(x) on the data (nats)",
    "con_gen_caption": "More components fit the data more closely (a higher mean log p(x)) until they start to fit "
                       "the noise.",
    "con_gen_fig": "Density p(x) and samples from it",
    "con_cond_title": "3 · Conditional generative: p(x | y)",
    "con_cond_name": "One Gaussian per class",
    "con_cond_body": "Models where the points of each class are: the mean and covariance of each class, computed "
                     "directly (maximum likelihood), and the class frequencies as the prior p(y).",
    "con_cond_class": "Sample from class",
    "con_cond_new": "Draw new class samples",
    "con_cond_integral": "∫ p(x | y = {name}) dx on a grid",
    "con_compete": "Every density integrates to 1 (the number above: a Riemann sum over a wide grid). So densities "
                   "compete for mass: a class that spreads wide must be low everywhere, a tight class is tall. "
                   "Where classes overlap, Bayes' rule (below) weighs these heights.",
    "con_cond_fig": "Class densities p(x | y) and samples from the chosen class",
    "con_bayes_title": "4 · Bayes' rule: from p(x | y) back to p(y | x)",
    "con_bayes_name": "Bayes' rule",
    "con_bayes_body": "The class Gaussians of 3 also classify: the posterior of a class is its density at x times its "
                      "prior, normalised by the evidence p(x). The table computes it at one point and puts the "
                      "logistic regression's own p(y | x) beside it.",
    "con_joint_name": "The joint distribution",
    "con_joint_body": "p(x, y) is the whole story of the data; every other distribution here is one of its two "
                      "factorisations, or a sum of it.",
    "con_bayes_click": "Click anywhere in the chart, or type a point:",
    "con_bayes_agree": "Bayes and logistic regression pick the same class on",
    "con_bayes_agree_help": "The share of the chart's grid where the two argmax classes agree. Near the data they "
                            "agree almost everywhere; in the empty corners neither model has seen a point, and "
                            "their boundaries (quadratic for Bayes, straight for logistic regression) drift apart.",
    "con_bayes_fig": "p(y | x) by Bayes' rule; dashed: logistic regression",
    "con_lr_boundary": "logistic regression boundary",
    "con_bayes_at": "**Bayes' rule at x = ({x1:.3f}, {x2:.3f})**",
    "con_col_prior": "p(y)",
    "con_col_lik": "p(x | y)",
    "con_col_joint": "p(x, y)",
    "con_col_post": "p(y | x), Bayes",
    "con_col_lr": "p(y | x), logistic regression",
    "con_lvm_intro": "A VAE is a latent variable model: an unseen code z explains each image x. Each piece below "
                     "links to the page where you can see it live; on the right, the same pieces for a model small "
                     "enough to compute exactly.",
    "con_lvm_prior_name": "Prior p(z)",
    "con_lvm_prior_body": "What codes look like before seeing any image: a standard normal.",
    "con_lvm_lik_name": "Likelihood p(x | z)",
    "con_lvm_lik_body": "The decoder: the distribution of images a code produces, around its output f(z): "
                        "Gaussian for the MSE loss, Bernoulli per pixel for BCE.",
    "con_lvm_joint_name": "Joint p(x, z)",
    "con_lvm_joint_body": "How likely a code and an image are together: prior times likelihood.",
    "con_lvm_marginal_name": "Marginal (evidence) p(x)",
    "con_lvm_marginal_body": "How likely an image is under the model, every code considered. The integral has no "
                             "closed form; the app estimates it by importance sampling with K draws from q(z|x) "
                             "(Burda, Grosse & Salakhutdinov, 2016): the NLL in the AE-vs-VAE metrics.",
    "con_lvm_post_name": "Posterior p(z | x) and the approximate posterior q(z | x)",
    "con_lvm_post_body": "Which codes explain an image. The exact posterior needs p(x), so the encoder learns a "
                         "Gaussian q(z|x) close to it instead.",
    "con_lvm_gen_name": "Generation versus inference",
    "con_lvm_gen_body": "Generation (first line) runs the model forward, from a code to an image; inference "
                        "(second line) runs it backward, from an image to its codes.",
    "con_live_on": "Live on: {page}",
    "con_lvm_toy": "**A latent variable model you can compute exactly:** a 1-D code bent into the plane by a "
                   "fixed decoder.",
    "con_lvm_sigma": "Decoder noise σ",
    "con_lvm_k": "Importance samples K",
    "con_lvm_new": "New importance draws",
    "con_lvm_fig_x": "Data space: p(x), the curve f(z), samples",
    "con_lvm_fig_z": "Latent space at the chosen x",
    "con_lvm_samples": "generated: z ~ p(z), x ~ p(x | z)",
    "con_lvm_curve": "decoder mean f(z)",
    "con_lvm_prior": "prior p(z)",
    "con_lvm_post": "posterior p(z | x) (exact)",
    "con_lvm_q": "q(z | x): a Gaussian with the posterior's mean and variance",
    "con_lvm_draws": "zₖ ~ q(z | x)",
    "con_lvm_exact": "log p(x), exact",
    "con_lvm_exact_help": "The integral over z summed on a fine grid of z values (quadrature): possible for a "
                          "1-D latent only.",
    "con_lvm_is": "IS estimate, K = {k}",
    "con_lvm_is_help": "log (1/K) Σₖ wₖ with wₖ = p(x|zₖ) p(zₖ) / q(zₖ|x), zₖ ~ q(z|x); below it, the "
                       "difference to the exact value.",
    "con_lvm_elbo": "ELBO",
    "con_lvm_elbo_help": "(1/K) Σₖ log wₖ, an estimate of the evidence lower bound: never above log p(x) on "
                         "average; the gap is KL(q(z|x) ‖ p(z|x)).",
    "con_lvm_caption": "Click the data-space chart or type a point. Below a crest of the curve (the default "
                       "point) two codes explain x, so p(z|x) has two bumps and one Gaussian q(z|x) cannot cover "
                       "both: the ELBO falls below log p(x), while the importance-sampled estimate closes the gap "
                       "as K grows. On the curve's crest there is one bump and the gap nearly vanishes.",
    "con_ae_intro": "An autoencoder learns to copy its input through a narrow middle, the bottleneck, so it must "
                    "keep what matters and drop the rest.",
    "con_ae_name": "Encoder, bottleneck, decoder",
    "con_ae_body": "The reference convolutional autoencoder for 3×32×32 images ({layers} layers, below): four "
                   "stride-2 convolutions halve the image and widen the channels down to the bottleneck, four "
                   "transposed convolutions bring it back; a sigmoid keeps pixels in [0, 1].",
    "con_ae_loss_name": "Reconstruction loss",
    "con_ae_loss_body": "Summed over the D pixels of an image: binary cross-entropy (a Bernoulli decoder, in nats) "
                        "or the squared error (a Gaussian decoder, up to constants).",
    "con_ae_in": "Numbers in",
    "con_ae_latent": "In the bottleneck",
    "con_ae_ratio": "Compression",
    "con_ae_params": "Parameters",
    "con_ae_input": "input",
    "con_ae_numbers": "numbers per image",
    "con_ae_hourglass": "Numbers per image after each layer (red: the bottleneck)",
    "con_vae_intro": "A VAE makes the autoencoder a latent variable model: the encoder outputs a distribution "
                     "q(z|x), the decoder is p(x|z), and the loss keeps q(z|x) close to the prior so that decoding "
                     "z ~ p(z) gives new images.",
    "con_vae_enc_name": "Encoder → μ, log σ²",
    "con_vae_enc_body": "Two heads on the encoder's features give the mean and the log-variance of a diagonal "
                        "Gaussian.",
    "con_vae_rep_name": "The reparameterization trick",
    "con_vae_rep_body": "A draw from q(z|x) written as a fixed function of μ, σ and outside noise ε, so gradients "
                        "flow into μ and σ. Move the sliders: every draw moves with them.",
    "con_vae_kl_name": "KL to the prior, in closed form",
    "con_vae_kl_body": "From q = q(z|x) to the prior p = p(z). Between two Gaussians the KL needs no sampling "
                       "(Appendix B); the numbers on the right compare "
                       "it with a Monte Carlo estimate.",
    "con_vae_loss_name": "The loss: reconstruction + β·KL",
    "con_vae_loss_body": "The first term is the reconstruction loss, the second the KL above. With β = 1 the sum "
                         "is the negative ELBO, an upper bound on −log p(x); β weighs compression against "
                         "reconstruction.",
    "con_vae_cite": "Kingma & Welling (2013), Auto-Encoding Variational Bayes, §2.4 and Appendix B; the same "
                    "formulas as vae_core/losses.py.",
    "con_vae_mu": "μ",
    "con_vae_logvar": "log σ²",
    "con_vae_fig": "q(z | x) = N(μ, σ²) against the prior, and draws z = μ + σ·ε",
    "con_vae_prior": "prior p(z) = N(0, 1)",
    "con_vae_q": "q(z | x) = N(μ, σ²)",
    "con_vae_draws": "z = μ + σ·ε (the same 40 ε)",
    "con_vae_kl": "KL, closed form",
    "con_vae_kl_mc": "KL, Monte Carlo",
    "con_vae_kl_mc_help": "(1/S) Σₛ [log q(zₛ) − log p(zₛ)] over S = {s:,} draws zₛ = μ + σ·εₛ.",
    "con_vae_caption": "The KL is 0 only at μ = 0, log σ² = 0: there q(z|x) is the prior itself.",
    # models
    "mod_title": "Models",
    "mod_intro": "What the chosen models are: their layers, how their training went, their metrics. Upload your "
                 "own .safetensors files or download these.",
    "mod_summary": "**{name}** · {kind} · {backbone} backbone · latent {d} · trained on {dataset} for {epochs} epochs · "
                   "{params:,} parameters · created {created} · {source}",
    "mod_feature_map": "feature map",
    "mod_download": "Download this .safetensors file",
    "mod_arch": "Architecture",
    "mod_no_history": "No training history in this file.",
    "mod_metrics": "Metrics recorded at training time",
    "mod_value": "value",
    "mod_train_config": "Training configuration",
    "mod_upload_title": "Upload a checkpoint",
    "mod_upload": "A .safetensors file written by vae_core (python -m vae_core train … --out FILE.safetensors)",
    "mod_upload_help": "Checked before it is kept (up to 200 MB); pickle files (.pt, .pth, .ckpt) are never loaded.",
    "mod_upload_ok": "Kept {name}; it is now selected in the sidebar.",
    "mod_upload_bad": "Not kept: {msg}",
}


def _zh() -> dict[str, str]:
    from ui.logic.text_zh import ZH

    return ZH


LANGUAGES: dict[str, str] = {"en": "English", "zh": "中文"}  # code → its own name, for the switch
DEFAULT_LANGUAGE = "en"
_source: Callable[[], str] = lambda: DEFAULT_LANGUAGE  # noqa: E731


def set_language_source(source: Callable[[], str]) -> None:
    """Install the function that says which language is current (a code of ``LANGUAGES``)."""
    global _source
    _source = source


def current_language() -> str:
    code = _source()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def table(code: str) -> dict[str, str]:
    return _zh() if code == "zh" else EN


class _Texts(Mapping):
    """``T[key]``: the string in the current language (English when a table lacks the key)."""

    def __getitem__(self, key: str) -> str:
        code = current_language()
        if code != DEFAULT_LANGUAGE:
            found = table(code).get(key)
            if found is not None:
                return found
        return EN[key]

    def __iter__(self) -> Iterator[str]:
        return iter(EN)

    def __len__(self) -> int:
        return len(EN)


T = _Texts()


def class_name(dataset: str, classes: tuple[str, ...], y: int) -> str:
    """A class's name for display: ``T["class_<dataset>_<y>"]`` when the dataset's class is the builtin
    one of that key (Fashion-MNIST, CIFAR-10), else the name the data carries (digits: "0".."9")."""
    y = int(y)
    name = classes[y] if 0 <= y < len(classes) else str(y)
    key = f"class_{dataset}_{y}"
    return T[key] if EN.get(key) == name else name


def class_names(dataset: str, classes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(class_name(dataset, classes, y) for y in range(len(classes)))
