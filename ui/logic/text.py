"""Every user-facing string of the app, keyed by id (English now; a 中文 table comes later).
Use ``T["id"]`` and ``.format(...)`` for the placeholders."""

from __future__ import annotations

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
    # shared
    "need_data": "The dataset {dataset} is not available: {err}",
    "need_models": "This page needs trained models for {dataset} ({kinds}). Train one or choose another dataset in the sidebar.",
    "pick_model": "Model",
    "pick_label": "Class to generate (the CVAE's label y)",
    "spin_load_model": "Loading the model…",
    "spin_load_data": "Loading the dataset…",
    "spin_encode": "Encoding the test images…",
    "spin_project": "Projecting the latents to 2-D (UMAP ≈ 5 s, t-SNE ≈ 10 s on a few thousand points)…",
    "spin_grid_inverse": "Mapping the grid back to the latent space…",
    "spin_decode_grid": "Decoding the grid…",
    "spin_errors": "Reconstructing the test images…",
    "spin_metrics": "Computing the metrics…",
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
    "train_backbone": "Backbone",
    "train_latent": "Latent dimensions",
    "train_epochs": "Epochs",
    "train_batch": "Batch size",
    "train_seed": "Seed",
    "train_lr": "Learning rate",
    "train_beta": "β (weight of the KL term)",
    "train_beta_help": "Loss per image = reconstruction + β·KL(q(z|x) ‖ N(0, I)). Used by the VAE only.",
    "train_go": "Train",
    "train_cancel": "Cancel",
    "train_need_full": "Training needs the full {dataset} dataset (train split); only a test sample is available. "
                       "Place its npz in the data folder.",
    "train_status_queued": "Starting…",
    "train_status_running": "Epoch {epoch}/{epochs} · {pct:.0f}%",
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
    "map_intro": "Every test image as a point: its latent code projected to 2-D, coloured by its label. Click a point "
                 "to see the image, its reconstruction and its nearest neighbours; draw a box or a lasso to select many.",
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
    "map_sigma_pca_only": "σ ellipses are drawn on the latent itself or its PCA plane only (UMAP and t-SNE bend distances).",
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
    # latent grid
    "grid_title": "Latent grid",
    "grid_intro": "Images decoded from an evenly spaced grid of points in a plane of the latent space. Click any "
                  "cell to decode it large; zoom into a region with the range controls.",
    "grid_plane_identity": "The latent is 2-D: the grid covers the latent itself.",
    "grid_method": "Plane",
    "grid_method_pca": "PCA plane (exact inverse)",
    "grid_method_umap": "UMAP plane (inverse transform, slow once)",
    "grid_n": "Grid size n",
    "grid_overlay": "Show data points",
    "grid_range": "Range (zoom in on a region)",
    "grid_zoom": "Zoom",
    "grid_cx": "Centre x (fraction of the full range)",
    "grid_cy": "Centre y (fraction of the full range)",
    "grid_click_hint": "Click a cell to decode its point at a large size.",
    "grid_decoded": "decoded live",
    "grid_plane": "plane point",
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
    "gen_beta_done": "Trained {n} VAEs on {n_train:,} images for {epochs} epochs each; cached on disk.",
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
    "metric_loss": "loss (recon + β·KL)",
    "metric_recon": "reconstruction",
    "metric_kl": "KL",
    "metric_mse": "MSE per pixel",
    "metric_psnr": "PSNR (dB)",
    "metric_knn_acc": "5-NN accuracy",
    "metric_nll_is": "NLL (importance sampled)",
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
    "cmp_interp_caption": "{kind}: from #{a} to #{b}",
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

T = EN
