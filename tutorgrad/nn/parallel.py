"""``nn.DataParallel`` as a CPU-only PyTorch has it: there are no GPUs to spread the batch over, so it
holds the module (``.module``, its parameters named ``module.weight`` ...) and calls it.

>>> net = tutorgrad.nn.DataParallel(tutorgrad.nn.Linear(2, 3))
>>> net(tutorgrad.ones(1, 2)).shape, net.device_ids
(tutorgrad.Size([1, 3]), [])
"""
from .module import Module


class DataParallel(Module):
    """Runs ``module`` on every GPU, a slice of the batch each; on the CPU (as here): runs ``module``."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []  # as PyTorch without CUDA: device_ids and output_device are not used

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
