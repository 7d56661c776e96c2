"""vae_core: autoencoders and variational autoencoders to look inside.

A small PyTorch library with no UI dependency. The pieces:

- ``config``     ModelConfig / TrainConfig (validated, JSON round-trip)
- ``models``     conv and MLP backbones, AE and VAE with one verb interface
- ``losses``     reconstruction + KL, per image, in nats for BCE
- ``data``       dataset registry (digits, mnist, fashion-mnist, cifar10, npz:, folder:)
- ``train``      fit(...) -> History, with callbacks, cancel and NaN guard
- ``distributed`` torchrun / DistributedDataParallel context for ``fit`` (gloo on CPU, nccl on CUDA)
- ``metrics``    evaluate(...): loss parts, MSE, PSNR, kNN accuracy, IS-NLL
- ``latent``     encode a dataset, 2-D projections with inverse maps, grids, interpolation
- ``checkpoint`` .safetensors files with JSON metadata; never unpickles
"""

__version__ = "0.1.0"
