"""vae_core: autoencoders and variational autoencoders to look inside.

A small PyTorch library with no UI dependency (it never imports streamlit or ``ui``). Model kinds
(``kinds``): ``ae`` (autoencoder), ``vae`` (variational autoencoder) and ``cvae`` (conditional VAE,
given the label), each either trained here or imported from ONNX; a denoising AE is an ``ae`` trained with ``TrainConfig.noise``. Backbones:
``conv``, ``resconv``, ``mlp``. The modules:

- ``config``      ModelConfig / TrainConfig (validated, JSON round-trip)
- ``kinds``       the registry of model kinds and what each can do (variational, conditional)
- ``models``      conv / resconv / MLP backbones, AE, VAE and CVAE with one verb interface; build_model
- ``losses``      reconstruction + KL, per image, in nats for BCE; learning-rate and β schedules
- ``noise``       input corruption for denoising (gaussian:σ, saltpepper:p)
- ``data``        dataset registry (digits, mnist, fashion-mnist, cifar10, npz:, folder:), npz cache,
                  label and shape checks
- ``train``       fit(...) -> History, with callbacks, cancel and NaN guard
- ``distributed`` torchrun / DistributedDataParallel context for ``fit`` (gloo on CPU, nccl on CUDA)
- ``device``      resolve_device("auto" | "cpu" | "cuda" | "mps")
- ``metrics``     evaluate(...): loss parts, MSE, PSNR, kNN accuracy, IS-NLL
- ``latent``      encode a dataset, 2-D projections with inverse maps, grids, interpolation
- ``generate``    prior samples, posterior draws, traversals, active units, the β sweep
- ``uses``        what autoencoders are good for: compression, denoising, filling, anomaly scores,
                  linear probes on latents, augmentation
- ``classifier``  a small CNN trained on real images, the judge of generated ones
- ``summary``     the torchsummary-style layer table
- ``checkpoint``  .safetensors files with JSON metadata; never unpickles; checks before it builds
- ``onnx_model``  imported models: an ONNX encoder/decoder pair, checked, run by onnxruntime (OnnxModel)
- ``onnx_file``   the imported-model .zip: import_onnx, export_checkpoint (ours to ONNX), load_zip
- ``model_file``  one loader for both files: .safetensors → Checkpoint, .zip → ImportedCheckpoint
- ``capabilities`` what a model can do beyond encode/decode (has_weights, has_history, source)
- ``zoo``         the shipped checkpoints and samples, and the commands that make them
- ``files``       atomic_write (temp file + os.replace) and sha256_file
- ``errors``      every error class, each with a stable ``code`` and its ``params`` for the app
- ``__main__``    the CLI: summary, train, evaluate, info, sample, import-onnx, export
"""

__version__ = "0.1.0"
