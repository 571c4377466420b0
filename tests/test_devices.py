"""Device questions get a CPU-only PyTorch's answers: the same values, and the same exception classes with
PyTorch's message first (tutorgrad then says what to do).

The installed PyTorch is a CPU build, so every row runs on both sides and compares.
"""
import warnings

import pytest

import tutorgrad
from torchdiff import call, torch

DEVICE_CALLS = {
    # the device line of every tutorial, old and new
    "cuda.is_available": lambda lib: lib.cuda.is_available(),
    "cuda.device_count": lambda lib: lib.cuda.device_count(),
    "device line": lambda lib: "cuda" if lib.cuda.is_available() else "cpu",
    "accelerator line": lambda lib: str(lib.accelerator.current_accelerator()) if lib.accelerator.is_available()
    else "cpu",
    "mps line": lambda lib: "mps" if lib.backends.mps.is_available() else "cpu",
    "accelerator.is_available": lambda lib: lib.accelerator.is_available(),
    "accelerator.device_count": lambda lib: lib.accelerator.device_count(),
    "accelerator.current_accelerator": lambda lib: lib.accelerator.current_accelerator(),
    "accelerator.current_accelerator(check)": lambda lib: lib.accelerator.current_accelerator(check_available=True),
    "accelerator.current_device_index": lambda lib: lib.accelerator.current_device_index(),
    "accelerator.set_device_index": lambda lib: lib.accelerator.set_device_index(0),
    "accelerator.synchronize": lambda lib: lib.accelerator.synchronize(),
    "accelerator.device_index(None)": lambda lib: lib.accelerator.device_index(None).__enter__(),
    "accelerator.device_index(0)": lambda lib: lib.accelerator.device_index(0).__enter__(),
    "mps.is_available": lambda lib: lib.backends.mps.is_available(),
    "mps.is_built": lambda lib: lib.backends.mps.is_built(),
    "backends.cuda.is_built": lambda lib: lib.backends.cuda.is_built(),
    "cuda.matmul.allow_tf32": lambda lib: lib.backends.cuda.matmul.allow_tf32,
    "cudnn.is_available": lambda lib: lib.backends.cudnn.is_available(),
    "cudnn.version": lambda lib: lib.backends.cudnn.version(),
    "cudnn settings": lambda lib: (lib.backends.cudnn.enabled, lib.backends.cudnn.deterministic,
                                   lib.backends.cudnn.benchmark, lib.backends.cudnn.allow_tf32),
    "cuda.is_initialized": lambda lib: lib.cuda.is_initialized(),
    "cuda.init": lambda lib: lib.cuda.init(),
    "cuda.current_device": lambda lib: lib.cuda.current_device(),
    "cuda.get_device_name()": lambda lib: lib.cuda.get_device_name(),
    "cuda.get_device_name(0)": lambda lib: lib.cuda.get_device_name(0),
    "cuda.get_device_properties": lambda lib: lib.cuda.get_device_properties(0),
    "cuda.get_device_capability": lambda lib: lib.cuda.get_device_capability(),
    "cuda.set_device(0)": lambda lib: lib.cuda.set_device(0),
    "cuda.set_device(device('cuda'))": lambda lib: lib.cuda.set_device(lib.device("cuda")),
    "cuda.synchronize": lambda lib: lib.cuda.synchronize(),
    "cuda.manual_seed": lambda lib: lib.cuda.manual_seed(0),
    "cuda.manual_seed_all": lambda lib: lib.cuda.manual_seed_all(42),
    "cuda.manual_seed('a')": lambda lib: lib.cuda.manual_seed("a"),
    "cuda.seed": lambda lib: lib.cuda.seed(),
    "cuda.seed_all": lambda lib: lib.cuda.seed_all(),
    "cuda.initial_seed": lambda lib: lib.cuda.initial_seed(),
    "cuda.get_rng_state": lambda lib: lib.cuda.get_rng_state(),
    "cuda.get_rng_state_all": lambda lib: lib.cuda.get_rng_state_all(),
    "cuda.empty_cache": lambda lib: lib.cuda.empty_cache(),
    "cuda.memory": lambda lib: (lib.cuda.memory_allocated(), lib.cuda.max_memory_allocated(),
                                lib.cuda.memory_reserved(), lib.cuda.max_memory_reserved()),
    "cuda.memory_stats": lambda lib: dict(lib.cuda.memory_stats()),
    "cuda.reset_peak_memory_stats": lambda lib: lib.cuda.reset_peak_memory_stats(),
    "cuda.mem_get_info": lambda lib: lib.cuda.mem_get_info(),
    "cuda.ipc_collect": lambda lib: lib.cuda.ipc_collect(),
    "cuda.is_bf16_supported": lambda lib: lib.cuda.is_bf16_supported(),
    "cuda.get_arch_list": lambda lib: lib.cuda.get_arch_list(),
    "cuda.current_stream": lambda lib: lib.cuda.current_stream(),
    "cuda.Stream": lambda lib: lib.cuda.Stream(),
    "cuda.Event": lambda lib: lib.cuda.Event(),
    "with cuda.device(0)": lambda lib: lib.cuda.device(0).__enter__(),
    "with cuda.device(-1)": lambda lib: lib.cuda.device(-1).__enter__(),
    "with cuda.device_of(t)": lambda lib: lib.cuda.device_of(lib.ones(1)).__enter__(),
    "with cuda.stream(None)": lambda lib: lib.cuda.stream(None).__enter__(),
    # device objects: any device can be named
    "device('cuda')": lambda lib: lib.device("cuda"),
    "device('cuda:1')": lambda lib: lib.device("cuda:1"),
    "device('cuda', 0)": lambda lib: lib.device("cuda", 0),
    "device(type=, index=)": lambda lib: lib.device(type="cuda", index=2),
    "device('mps')": lambda lib: lib.device("mps"),
    "device('cpu', 0)": lambda lib: lib.device("cpu", 0),
    "device('cpu:1')": lambda lib: lib.device("cpu:1"),
    "device(device)": lambda lib: lib.device(lib.device("cuda:3")),
    "device('meta')": lambda lib: lib.device("meta"),
    "str(device)": lambda lib: (str(lib.device("cuda:1")), str(lib.device("cuda")), str(lib.device("cpu"))),
    "device fields": lambda lib: (lib.device("cuda:1").type, lib.device("cuda:1").index, lib.device("cpu").index),
    "device equality": lambda lib: (lib.device("cpu") == "cpu", lib.device("cpu") == lib.device("cpu"),
                                    lib.device("cuda:0") == lib.device("cuda"),
                                    lib.device("cpu") == lib.device("cpu", 0),
                                    lib.ones(1).device == lib.device("cpu"), lib.ones(1).device.type == "cpu"),
    "device hash": lambda lib: {lib.device("cpu"): 1}[lib.device("cpu")],
    "device(0)": lambda lib: lib.device(0),
    "device('gpu')": lambda lib: lib.device("gpu"),
    "device('CUDA')": lambda lib: lib.device("CUDA"),
    "device('cuda:x')": lambda lib: lib.device("cuda:x"),
    "device('cuda:-1')": lambda lib: lib.device("cuda:-1"),
    "device('cuda ')": lambda lib: lib.device("cuda "),
    "device('cuda', -1)": lambda lib: lib.device("cuda", -1),
    "device('cuda:0', 1)": lambda lib: lib.device("cuda:0", 1),
    "device(None)": lambda lib: lib.device(None),
    "device(1.5)": lambda lib: lib.device(1.5),
    # using a device
    ".to('cuda')": lambda lib: lib.ones(2).to("cuda"),
    ".to('cuda:0')": lambda lib: lib.ones(2).to("cuda:0"),
    ".to(device('cuda'))": lambda lib: lib.ones(2).to(lib.device("cuda")),
    ".to(device='cuda')": lambda lib: lib.ones(2).to(device="cuda"),
    ".to('cuda', non_blocking=True)": lambda lib: lib.ones(2).to("cuda", non_blocking=True),
    ".to(0)": lambda lib: lib.ones(2).to(0),
    ".to('mps')": lambda lib: lib.ones(2).to("mps"),
    ".to('xpu')": lambda lib: lib.ones(2).to("xpu"),
    ".to('hip')": lambda lib: lib.ones(2).to("hip"),
    ".to('gpu')": lambda lib: lib.ones(2).to("gpu"),
    ".to('cpu')": lambda lib: lib.ones(2).to("cpu"),
    ".to('cpu:0')": lambda lib: lib.ones(2).to("cpu:0"),
    ".to('cpu', float64)": lambda lib: lib.ones(2).to("cpu", lib.float64),
    ".cuda()": lambda lib: lib.ones(2).cuda(),
    ".cuda(0)": lambda lib: lib.ones(2).cuda(0),
    ".cuda('cuda:0')": lambda lib: lib.ones(2).cuda("cuda:0"),
    ".device": lambda lib: lib.ones(2).device,
    ".device of cpu:0": lambda lib: lib.ones(2, device="cpu:0").device,
    ".is_cuda": lambda lib: lib.ones(2).is_cuda,
    "ones(device='cuda')": lambda lib: lib.ones(2, device="cuda"),
    "randn(device=device('cuda', 0))": lambda lib: lib.randn(2, device=lib.device("cuda", 0)),
    "zeros(device='mps')": lambda lib: lib.zeros(2, device="mps"),
    "arange(device='mps')": lambda lib: lib.arange(3, device="mps"),
    "zeros(device='xpu')": lambda lib: lib.zeros(2, device="xpu"),
    "tensor(device='cuda')": lambda lib: lib.tensor([1.0], device="cuda"),
    "tensor(device='mps')": lambda lib: lib.tensor([1.0], device="mps"),
    "as_tensor(device='mps')": lambda lib: lib.as_tensor([1.0], device="mps"),
    "Linear.to('cuda')": lambda lib: lib.nn.Linear(2, 2).to("cuda"),
    "Linear.cuda()": lambda lib: lib.nn.Linear(2, 2).cuda(),
    "Linear.cuda(0)": lambda lib: lib.nn.Linear(2, 2).cuda(0),
    "Linear.to(0)": lambda lib: lib.nn.Linear(2, 2).to(0),
    "Linear(device='cuda')": lambda lib: lib.nn.Linear(2, 2, device="cuda"),
    "default device": lambda lib: lib.get_default_device(),
}


def same_outcome(ours, theirs):
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), f"tutorgrad: {ours!r}, PyTorch: {theirs!r}"
        first_line = str(theirs).split("\n")[0]
        if "Could not run" in first_line:  # PyTorch goes on about its dispatch keys; the gist is the first sentence
            first_line = first_line.split(". ")[0]
        # PyTorch's words first ("torch.device" read as "tutorgrad.device"; torch._C's own name is quoted as is)
        assert str(ours).startswith((first_line, first_line.replace("torch.", "tutorgrad."))), \
            f"tutorgrad says {ours!s}, PyTorch {theirs!s}"
        return
    assert not isinstance(ours, Exception), f"tutorgrad raised {ours!r}, PyTorch gives {theirs!r}"
    if isinstance(theirs, torch.Tensor):
        assert ours.tolist() == theirs.tolist() and str(ours.dtype) == str(theirs.dtype).replace("torch", "tutorgrad")
    else:
        assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("what", DEVICE_CALLS)
def test_device_answers_as_cpu_only_pytorch(what):
    fn = DEVICE_CALLS[what]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_outcome(call(fn, tutorgrad), call(fn, torch))


def test_errors_still_say_what_to_do():
    with pytest.raises(AssertionError, match="use device='cpu'"):
        tutorgrad.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="tutorgrad has none: use 'cpu'"):
        tutorgrad.ones(2).to(0)


def test_default_device():
    try:
        for lib in (torch, tutorgrad):
            assert lib.set_default_device("cpu") is None
            assert repr(lib.get_default_device()) == "device(type='cpu')"
            lib.set_default_device("cuda")          # accepted, as any device name ...
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                lib.zeros(1)                        # ... but the next factory call needs it
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                lib.get_default_device()
            lib.set_default_device("cpu:0")
            assert repr(lib.get_default_device()) == "device(type='cpu', index=0)"
            assert repr(lib.zeros(1).device) == "device(type='cpu')"
            lib.set_default_device(None)
            assert repr(lib.get_default_device()) == "device(type='cpu')"
            with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
                lib.set_default_device("gpu")
            with lib.device("cpu"):
                assert lib.ones(1).tolist() == [1.0]
            with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
                with lib.device("cuda"):
                    lib.ones(1)
            assert lib.ones(1).tolist() == [1.0]    # the block restored the default
    finally:
        torch.set_default_device(None)
        tutorgrad.set_default_device(None)


def test_reproducibility_recipe_runs():
    # the usual "make it deterministic" cell of a course
    import tutorgrad.backends.cudnn as cudnn
    tutorgrad.manual_seed(0)
    tutorgrad.cuda.manual_seed_all(0)
    cudnn.deterministic = True
    cudnn.benchmark = False
    try:
        assert tutorgrad.backends.cudnn.deterministic is True
    finally:
        cudnn.deterministic = False
