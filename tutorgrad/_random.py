"""Bit-exact emulation of PyTorch's CPU random number generation, in NumPy.

``import tutorgrad as torch; torch.manual_seed(0); print(torch.rand(3))`` has to
print what real PyTorch prints, so this module reproduces the CPU generator of
PyTorch 2.13 (``at::CPUGeneratorImpl``) and the CPU kernels that consume it,
bit for bit.  Everything here returns plain NumPy arrays; the tensor layer wraps
them.  There is no ``torch`` import: the test-suite compares against the real
thing.

How PyTorch does it, and how this module follows
------------------------------------------------
* **Engine.** ``at::mt19937`` is the classic 32-bit Mersenne Twister seeded with
  ``init_genrand(seed & 0xffffffff)`` -- exactly NumPy's legacy seeding of
  ``np.random.MT19937`` / ``RandomState(int)``, so the raw 32-bit outputs agree and
  NumPy's C implementation generates them (``MT19937.random_raw``).
  ``random()`` is one 32-bit output, ``random64()`` is two of them,
  ``(first << 32) | second``.
* **Uniform** (``rand``, ``uniform_``; ``TransformationHelper.h::uniform_real``
  and ``cpu/DistributionTemplates.h::uniform_kernel``): computed in the op-math
  type -- float32 takes one ``random()`` and keeps its low 24 bits times 2**-24,
  float64 one ``random64()`` and its low 53 bits times 2**-53, float16 is the
  float32 sample cast to half; then ``x * (to - from) + from`` (fused into one
  FMA by the AVX2 build), and a result equal to ``to`` after the cast to the
  dtype is replaced by ``from``.
* **Normal** (``randn``, ``normal_``; ``normal_fill`` / ``NormalFill16``):
  - ``numel >= 16``, float32: all ``numel`` uniforms are drawn first; every full
    block of 16 becomes 16 normals by Box-Muller (``u1 = 1 - x[0:8]``,
    ``u2 = x[8:16]``; first half ``r*cos``, second half ``r*sin``) using the Cephes
    polynomials of ``avx_mathfun.h`` (``log256_ps``, ``sincos256_ps``); if
    ``numel % 16 != 0``, 16 *fresh* uniforms are drawn and the last 16 outputs
    recomputed from them.  The polynomials are replayed here in float32 with
    the same operation order, including the multiply-adds GCC fuses
    (``-ffp-contract=fast -mfma``); ``* std + mean`` is an explicit FMA.
  - ``numel >= 16``, float64: the same block scheme with libm ``log``/``cos``/
    ``sin`` in double and ``fma(r*cos, std, mean)``.  NumPy's float64 ufuncs give
    glibc's results here; that is checked at import (slow exact fallback).
  - ``numel >= 16``, float16: float32 blocks as above, but the uniforms are drawn
    block by block (16 per full block, then 16 for the tail: no draws wasted on
    the partial block), then cast to half.
  - ``numel < 16`` (any dtype): the scalar path, ``at::normal_distribution<double>``:
    two float64 uniforms per pair, ``r = sqrt(-2 log1p(-u2))``,
    ``theta = 2 pi u1``, returns ``r cos(theta)`` and *caches* ``r sin(theta)`` in the
    generator for the next scalar-path sample (the cache is part of the
    generator state and is cleared by ``manual_seed``); ``* std + mean`` is fused.
  - tensor ``mean``/``std`` (``torch.normal(mean, std)``): standard normals of the
    broadcast shape, then ``mul_(std)`` and ``add_(mean)`` as separate ops.
* **randint** (``random_from_to``): ``random() % range + low``; public wheels use
  ``random64()`` instead once ``range >= 2**28``, for every dtype (the
  ``range >= 2**32`` rule in the source is only for Meta's internal build).
* **randperm** (``TensorFactories.cpp::randperm_cpu``): for
  ``n < (2**32 - 1) / 20`` the forward Fisher-Yates ``swap(a[i], a[i + random() %
  (n - i)])`` for ``i < n - 1``; above that the "inside-out" variant with
  ``random64() % (i + 1)``.  Both are sequential in PyTorch; here they are
  resolved without a per-element Python loop (one sort + pointer jumping).
* **bernoulli**: a scalar ``p`` (``Tensor.bernoulli_(p)``, dropout) takes one
  float64 uniform per element and returns ``u < p``; a tensor ``p``
  (``torch.bernoulli(p)``) takes a float64 uniform when ``p`` is float64 and a
  float32 uniform (one ``random()``) otherwise.
  Caveat: PyTorch builds with MKL may route the *scalar-p* case on Intel CPUs
  through MKL's own generator instead; the path reproduced here is the one
  taken on AMD CPUs and non-MKL builds (and the tensor-``p`` path everywhere).

Machine dependence: the float32/float16 ``randn``/``normal`` results for
``numel >= 16`` are those of PyTorch's AVX2 kernel, which x86-64 CPUs with AVX2
run.  A PyTorch running its ``DEFAULT`` kernel (``ATEN_CPU_CAPABILITY=default``,
non-x86 CPUs, and possibly AVX-512 machines if they dispatch an AVX-512 build of
this kernel) uses libm ``logf``/``cosf``/``sinf`` instead and differs in the last
bits; float64 results and every other function do not depend on the kernel.

Seeds follow ``torch.manual_seed``: any integer in ``[-2**63, 2**64 - 1]``
(negative values wrap to ``seed + 2**64``), only the low 32 bits reach the
Mersenne Twister.  ``Generator()`` starts from PyTorch's fixed default seed
67280421310721; the global ``default_generator`` starts, like PyTorch's, from a
non-deterministic 64-bit seed (read from the OS) until ``manual_seed`` is called.

``Generator.get_state()`` returns the same 5056-byte layout as
``torch.Generator.get_state()`` (so a state can be carried between the two).
"""

from __future__ import annotations

import math
import secrets
import struct

import numpy as np

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "rand",
    "randn",
    "randint",
    "randperm",
    "normal",
    "uniform",
    "bernoulli",
]

# --------------------------------------------------------------------------- constants

_MT_N = 624
_DEFAULT_RNG_SEED = 67280421310721  # c10::detail::default_rng_seed_val
_U64 = (1 << 64) - 1
# sizeof(CPUGeneratorImplStateLegacy) and sizeof(CPUGeneratorImplState)
_LEGACY_STATE_SIZE = 5048
_STATE_SIZE = 5056
_HEADER = struct.Struct("<QiiQ")  # the_initial_seed, left, seeded, next
_TAIL = struct.Struct("<dddi4xf?3x")  # normal_x/y/rho, normal_is_valid, float sample, valid
_LEGACY_TAIL = struct.Struct("<dddi4x")
_STATE_OFFSET = _HEADER.size  # 24
_TAIL_OFFSET = _STATE_OFFSET + 8 * _MT_N  # 5016

# randperm switches algorithm at std::numeric_limits<uint32_t>::max() / 20
_RANDPERM_SMALL_LIMIT = 0xFFFFFFFF // 20


def _shape_tuple(shape) -> tuple[int, ...]:
    if shape is None:
        return ()
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {shape}")
    return shape


def _numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


def _normalize_seed(seed) -> int:
    """torch.manual_seed's range check and wrap-around of negative seeds."""
    seed = int(seed)
    if seed < -(1 << 63) or seed > _U64:
        raise ValueError("Overflow when unpacking long long")
    return seed & _U64


def _mt_key(seed32: int) -> np.ndarray:
    """init_genrand(seed32): the 624-word state right after seeding."""
    return np.random.RandomState(seed32).get_state()[1]


# --------------------------------------------------------------------------- Generator


class Generator:
    """A CPU random number generator that replays ``torch.Generator`` bit for bit.

    ``Generator()`` starts from PyTorch's default seed 67280421310721, like
    ``torch.Generator()``.
    """

    __slots__ = ("_bg", "_initial_seed", "_next_double", "_next_float", "_next_hint", "_seeded")

    def __init__(self, device: str = "cpu"):
        if str(device) != "cpu":
            raise RuntimeError(f"tutorgrad only has a CPU generator, not {device!r}")
        # The initial SeedSequence seeding is immediately overwritten below.
        self._bg = np.random.MT19937(0)
        self._set_seed(_DEFAULT_RNG_SEED)

    # -- seeding ------------------------------------------------------------------------
    def _set_seed(self, seed64: int) -> None:
        self._initial_seed = seed64
        self._bg.state = {
            "bit_generator": "MT19937",
            "state": {"key": _mt_key(seed64 & 0xFFFFFFFF), "pos": _MT_N},
        }
        self._next_double = None  # cached r*sin(theta) of the scalar normal path
        self._next_float = None  # float cache (kept only for state round trips)
        self._next_hint = 0  # mt19937::next_ as PyTorch reports it until the first draw
        self._seeded = 1

    def manual_seed(self, seed) -> "Generator":
        self._set_seed(_normalize_seed(seed))
        return self

    def seed(self) -> int:
        """Re-seed from a non-deterministic 64-bit number and return it."""
        s = secrets.randbits(64)
        self._set_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._initial_seed

    @property
    def device(self) -> str:
        return "cpu"

    # -- state ---------------------------------------------------------------------------
    def get_state(self) -> np.ndarray:
        """The generator state as 5056 uint8 -- the layout of torch's get_state()."""
        st = self._bg.state["state"]
        key = np.asarray(st["key"], dtype=np.uint32)
        pos = int(st["pos"])
        left = _MT_N + 1 - pos if pos > 0 else _MT_N
        nxt = self._next_hint if self._next_hint is not None else pos
        buf = bytearray(_STATE_SIZE)
        _HEADER.pack_into(buf, 0, self._initial_seed, left, self._seeded, nxt)
        buf[_STATE_OFFSET:_TAIL_OFFSET] = key.astype("<u8").tobytes()
        dbl_valid = self._next_double is not None
        flt_valid = self._next_float is not None
        _TAIL.pack_into(
            buf,
            _TAIL_OFFSET,
            0.0,
            float(self._next_double) if dbl_valid else 0.0,
            0.0,
            int(dbl_valid),
            float(self._next_float) if flt_valid else 0.0,
            flt_valid,
        )
        return np.frombuffer(bytes(buf), dtype=np.uint8).copy()

    def set_state(self, new_state) -> "Generator":
        """Restore a state from get_state() (this class's or torch's: same bytes)."""
        if hasattr(new_state, "numpy") and not isinstance(new_state, np.ndarray):
            new_state = new_state.numpy()  # a torch ByteTensor
        raw = np.ascontiguousarray(np.asarray(new_state, dtype=np.uint8)).tobytes() \
            if not isinstance(new_state, (bytes, bytearray, memoryview)) else bytes(new_state)
        size = len(raw)
        if size not in (_STATE_SIZE, _LEGACY_STATE_SIZE):
            raise RuntimeError(
                f"Expected either a CPUGeneratorImplStateLegacy of size {_LEGACY_STATE_SIZE} "
                f"or a CPUGeneratorImplState of size {_STATE_SIZE} but found the input RNG "
                f"state size to be {size}"
            )
        seed64, left, seeded, nxt = _HEADER.unpack_from(raw, 0)
        key = np.frombuffer(raw, dtype="<u8", count=_MT_N, offset=_STATE_OFFSET)
        if size == _STATE_SIZE:
            _, normal_y, _, normal_valid, fsample, fvalid = _TAIL.unpack_from(raw, _TAIL_OFFSET)
        else:
            _, normal_y, _, normal_valid = _LEGACY_TAIL.unpack_from(raw, _TAIL_OFFSET)
            fsample, fvalid = 0.0, False
        if not (seeded and 0 < left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        self._bg.state = {
            "bit_generator": "MT19937",
            "state": {"key": (key & 0xFFFFFFFF).astype(np.uint32), "pos": _MT_N + 1 - left},
        }
        self._initial_seed = seed64
        self._seeded = seeded
        self._next_hint = nxt
        self._next_double = float(normal_y) if normal_valid else None
        self._next_float = np.float32(fsample) if fvalid else None
        return self

    # -- raw stream ----------------------------------------------------------------------
    def _random(self, n: int) -> np.ndarray:
        """n outputs of mt19937 (``random()``), as uint64 holding 32-bit values."""
        if n <= 0:
            return np.empty(0, dtype=np.uint64)
        self._next_hint = None
        return self._bg.random_raw(n)

    def _random64(self, n: int) -> np.ndarray:
        """n ``random64()`` values: (first << 32) | second."""
        r = self._random(2 * n)
        return (r[0::2] << np.uint64(32)) | r[1::2]

    def __repr__(self) -> str:
        return f"<tutorgrad._random.Generator object (initial_seed={self._initial_seed})>"


def _make_default_generator() -> Generator:
    g = Generator()
    g._set_seed(secrets.randbits(64))  # like c10::detail::getNonDeterministicRandom()
    return g


default_generator: Generator = _make_default_generator()


def _gen(generator: Generator | None) -> Generator:
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a tutorgrad Generator, got {type(generator).__name__}")
    return generator


def manual_seed(seed) -> Generator:
    """Seed the default generator (like ``torch.manual_seed``) and return it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> np.ndarray:
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)


# --------------------------------------------------------------------------- exact arithmetic
#
# PyTorch's AVX2 kernels are compiled with -mfma and GCC's default -ffp-contract=fast,
# so ``a * b + c`` in them is one rounding, not two.  NumPy has no fma ufunc; these
# emulate it exactly.

_F32_MID_MASK = np.uint64(0x1FFFFFFF)
_F32_MID = np.uint64(0x10000000)


def _as_f64(v):
    if isinstance(v, np.ndarray):
        return v if v.dtype == np.float64 else v.astype(np.float64)
    return float(v)


def _fma32(a, b, c) -> np.ndarray:
    """Correctly rounded float32 fma(a, b, c) of float32 values, returned as float32.

    Arguments may be float32 arrays, float64 arrays holding float32 values, or
    scalars (at least one an array).  a*b is exact in float64 (24+24 bits);
    rounding p + c to float64 and then to float32 can only go wrong (double
    rounding) when the float64 sum lands exactly on a float32 midpoint while
    being inexact; those rare lanes are fixed with the exact error of the sum.
    """
    p = _as_f64(a) * _as_f64(b)
    c64 = _as_f64(c)
    s = p + c64
    out = s.astype(np.float32)
    mid = np.bitwise_and(s.view(np.uint64), _F32_MID_MASK) == _F32_MID
    if mid.any():
        idx = np.nonzero(mid)
        ps = p[idx]
        cs = np.broadcast_to(c64, s.shape)[idx]
        ss = s[idx]
        bb = ss - ps
        err = (ps - (ss - bb)) + (cs - bb)
        toward = np.where(err > 0, np.inf, -np.inf)
        fixed = np.where(err != 0, np.nextafter(ss, toward), ss)
        out[idx] = fixed.astype(np.float32)
    return out


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


_SPLITTER = 134217729.0  # 2**27 + 1


def _two_prod(a, b):
    p = a * b
    t = _SPLITTER * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLITTER * b
    bh = t - (t - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _fma64(a, b, c) -> np.ndarray:
    """Correctly rounded float64 fma (Boldo & Melquiond's emulation, round-to-odd)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    uh, ul = _two_prod(a, b)
    th, tl = _two_sum(c, uh)
    v, ve = _two_sum(tl, ul)
    # round v to odd: if inexact and v's last bit is even, step towards the exact value
    even = (np.asarray(v).view(np.int64) & 1) == 0
    fix = (ve != 0) & even
    if np.any(fix):
        v = np.where(fix, np.nextafter(v, np.where(ve > 0, np.inf, -np.inf)), v)
    out = th + v
    # products that are not finite (or zero): fall back to the plain expression
    bad = ~np.isfinite(uh) | ~np.isfinite(ul)
    if np.any(bad):
        out = np.where(bad, a * b + c, out)
    return out


# --------------------------------------------------------------------------- libm agreement
#
# The float64 normal kernel and the scalar normal path call glibc's log/log1p/sin/cos.
# NumPy's float64 ufuncs call the same libm on most builds; where NumPy uses its own
# SIMD code instead (e.g. AVX-512 builds), fall back to Python's math module (libm).


def _ufuncs_match_libm() -> bool:
    x = np.linspace(1e-6, 1.0, 1025)
    th = x * (2 * math.pi)
    checks = (
        (np.log, math.log, x),
        (np.sin, math.sin, th),
        (np.cos, math.cos, th),
    )
    for uf, f, dom in checks:
        ref = np.array([f(v) for v in dom.tolist()])
        if not np.array_equal(uf(dom), ref):
            return False
    return True


if _ufuncs_match_libm():
    _log64, _sin64, _cos64 = np.log, np.sin, np.cos
else:  # pragma: no cover - depends on the NumPy build
    def _libm(f):
        vf = np.frompyfunc(f, 1, 1)
        return lambda a: vf(a).astype(np.float64)

    _log64, _sin64, _cos64 = _libm(math.log), _libm(math.sin), _libm(math.cos)


# --------------------------------------------------------------------------- avx_mathfun

_f32 = np.float32
_ONE = _f32(1.0)
_HALF = _f32(0.5)
_SQRTHF = _f32(0.707106781186547524)
_LOG_P = [_f32(v) for v in (
    7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
    +1.4249322787e-1, -1.6668057665e-1, +2.0000714765e-1, -2.4999993993e-1,
    +3.3333331174e-1,
)]
_LOG_Q1 = _f32(-2.12194440e-4)
_LOG_Q2 = _f32(0.693359375)
_DP1 = _f32(-0.78515625)
_DP2 = _f32(-2.4187564849853515625e-4)
_DP3 = _f32(-3.77489497744594108e-8)
_SIN_P = [_f32(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COS_P = [_f32(v) for v in (2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002)]
_FOPI = _f32(1.27323954473516)
_TWO_PI_F = _f32(2.0 * math.pi)
_MINUS_TWO_F = _f32(-2.0)


# The two functions below replay avx_mathfun.h's ``log256_ps`` and
# ``sincos256_ps`` -- the same float32 operations in the same order.  GCC compiles
# PyTorch's AVX2 kernels with -mfma and -ffp-contract=fast, so a product whose
# only use is an addition becomes an FMA; which products were fused was pinned
# down against torch's output (a wrong choice shows up within 10**5 samples).
# Each FMA is replayed as one float64 multiply-add (the float32 product is exact
# in float64) and one rounding to float32.  That double rounding could in
# principle differ from a true FMA, but the inputs here can only be the 2**24
# float32 uniforms k * 2**-24: over all of them the results equal the exactly
# emulated FMA (``_fma32``) bit for bit -- checked exhaustively (see
# tests/test_random_exact.py), so the cheap form is exact for these kernels.


def _r32(v64: np.ndarray) -> np.ndarray:
    """Round float64 values to float32 and keep them as float64."""
    return v64.astype(np.float32).astype(np.float64)


def _log256_ps(x: np.ndarray) -> np.ndarray:
    """log256_ps(x) for float32 x = 1 - u (u a float32 uniform)."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7E).astype(np.float32)  # exponent + 1
    m = ((bits & ~0x7F800000) | 0x3F000000).view(np.float32)  # mantissa in [0.5, 1)
    maskf = (m < _SQRTHF).view(np.uint8).astype(np.float32)  # 1.0 where m < sqrt(1/2)
    e -= maskf
    m = (m - _ONE) + m * maskf
    z = m * m
    m64 = m.astype(np.float64)
    y = m64 * float(_LOG_P[0])  # fma(p0, x, p1), fma(y, x, p2), ... fma(y, x, p8)
    y += float(_LOG_P[1])
    for p in _LOG_P[2:]:
        y = _r32(y)
        y *= m64
        y += float(p)
    y = y.astype(np.float32)
    y *= m  # y*x, then y*z is fused with "+ e*q1"
    y = y.astype(np.float64)
    y *= z.astype(np.float64)
    y += (e * _LOG_Q1).astype(np.float64)
    y = y.astype(np.float32)
    y -= z * _HALF  # z*0.5 is exact: fused or not, the same
    y += m
    y += e * _LOG_Q2  # e*q2 is exact as well
    return y


def _sincos256_ps(x: np.ndarray):
    """sincos256_ps(x) for float32 x = 2 pi u >= 0; returns (sin, cos)."""
    j = (x * _FOPI).astype(np.int32)  # cvttps: truncation
    j += 1
    j &= ~1
    y = j.astype(np.float32)
    swap_sin = (j & 4) << 29  # sign bits
    sign_cos = (~(j - 2) & 4) << 29
    poly = -((j & 2) == 0).view(np.uint8).astype(np.int32)  # all ones: sine poly first
    # y*DP1 and y*DP2 are exact products (y is an even integer <= 8): fused or
    # not, the same; x + y*DP3 is fused (and exact in float64).
    x = x + y * _DP1
    x += y * _DP2
    x64 = x.astype(np.float64)
    x64 += y.astype(np.float64) * float(_DP3)
    x = x64.astype(np.float32)
    x64 = x.astype(np.float64)
    z = x * x
    z64 = z.astype(np.float64)
    yc = z64 * float(_COS_P[0])  # fma(c0, z, c1), fma(y, z, c2)
    yc += float(_COS_P[1])
    yc = _r32(yc)
    yc *= z64
    yc += float(_COS_P[2])
    yc = yc.astype(np.float32)
    yc *= z
    yc = yc.astype(np.float64)  # y*z - z*0.5: the product y*z is the fused one
    yc *= z64
    yc -= (z * _HALF).astype(np.float64)
    yc = yc.astype(np.float32)
    yc += _ONE
    ys = z64 * float(_SIN_P[0])  # fma(s0, z, s1), fma(y, z, s2)
    ys += float(_SIN_P[1])
    ys = _r32(ys)
    ys *= z64
    ys += float(_SIN_P[2])
    ys = ys.astype(np.float32)
    ys *= z
    ys = ys.astype(np.float64)  # fma(y, x, x)
    ys *= x64
    ys += x64
    ys = ys.astype(np.float32)
    ysb = ys.view(np.int32)
    ycb = yc.view(np.int32)
    sb = (ysb & poly) | (ycb & ~poly)
    cb = ysb ^ ycb ^ sb
    sb ^= swap_sin
    cb ^= sign_cos
    return sb.view(np.float32), cb.view(np.float32)


# --------------------------------------------------------------------------- uniforms


def _uniform_bits(gen: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """uniform_real_distribution<T>(0, 1) samples for T = float64 or float32."""
    if dtype == np.float64:
        r = gen._random64(n)
        r &= np.uint64((1 << 53) - 1)
        out = r.astype(np.float64)
        out *= 2.0 ** -53
        return out
    if dtype == np.float32:
        r = gen._random(n)
        r &= np.uint64((1 << 24) - 1)
        out = r.astype(np.float32)
        out *= np.float32(2.0 ** -24)
        return out
    raise TypeError(f"uniform sampling is not implemented for dtype {dtype}")


def _opmath(dt: np.dtype) -> np.dtype:
    """at::opmath_type: Half (and BFloat16) compute in float."""
    return np.dtype(np.float64) if dt == np.float64 else np.dtype(np.float32)


def _float_dtype(np_dtype) -> np.dtype:
    dt = np.dtype(np_dtype)
    if dt not in (np.float16, np.float32, np.float64):
        raise TypeError(f"expected a floating point dtype (float16/32/64), got {dt}")
    return dt


def uniform(low, high, shape, np_dtype, generator=None) -> np.ndarray:
    """``torch.empty(shape, dtype).uniform_(low, high)``.

    ``uniform_kernel``: in the op-math type (float for float16), one uniform per
    element, ``x * (high - low) + low`` (an FMA in the AVX2 build), cast to the
    dtype, and a value that came out equal to ``high`` is replaced by ``low``.
    """
    shape = _shape_tuple(shape)
    dt = _float_dtype(np_dtype)
    op = _opmath(dt)
    x = _uniform_bits(_gen(generator), _numel(shape), op)
    lo, hi = op.type(low), op.type(high)
    if not (lo == 0 and hi == 1):
        x = _fma64(x, float(hi - lo), float(lo)) if op == np.float64 else _fma32(x, hi - lo, lo)
    out = x.astype(dt, copy=False)
    # static_cast<scalar_t>(double); c10::Half converts through float
    to_s, from_s = dt.type(op.type(high)), dt.type(op.type(low))
    hit = out == to_s
    if hit.any():
        out[hit] = from_s
    return out.reshape(shape)


def rand(shape, np_dtype=np.float32, generator=None) -> np.ndarray:
    """``torch.rand(shape, dtype=...)``: uniform on [0, 1) (``uniform_(0, 1)``)."""
    dt = _float_dtype(np_dtype)
    if dt != np.float16:  # float32/float64 samples are < 1 already
        shape = _shape_tuple(shape)
        return _uniform_bits(_gen(generator), _numel(shape), dt).reshape(shape)
    return uniform(0.0, 1.0, shape, dt, generator)


# --------------------------------------------------------------------------- normals


def _normal_scalar_path(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """at::normal_distribution<double> sample by sample (numel < 16), as float64."""
    out = np.empty(n, dtype=np.float64)
    cached = gen._next_double
    k = 0
    if cached is not None and n > 0:
        out[0] = cached
        gen._next_double = None
        k = 1
    pairs = (n - k + 1) // 2
    if pairs:
        u = _uniform_bits(gen, 2 * pairs, np.dtype(np.float64)).tolist()
        for i in range(pairs):
            u1, u2 = u[2 * i], u[2 * i + 1]
            r = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            out[k] = r * math.cos(theta)
            k += 1
            s = r * math.sin(theta)
            if k < n:
                out[k] = s
                k += 1
            else:
                gen._next_double = s
    if not (mean == 0.0 and std == 1.0):
        out = _fma64(out, std, mean)
    return out


_CHUNK_BLOCKS = 2048  # blocks of 16 per vectorised step: temporaries stay in cache


def _blocks_then_tail(gen: Generator, n: int, dt: np.dtype, fill16) -> np.ndarray:
    """The normal_fill block structure: full blocks of 16, then the last 16 redone."""
    data = _uniform_bits(gen, n, dt)
    full = n // 16
    blocks = data[: full * 16].reshape(full, 2, 8)
    out = np.empty_like(blocks)
    for start in range(0, full, _CHUNK_BLOCKS):
        stop = min(start + _CHUNK_BLOCKS, full)
        out[start:stop] = fill16(blocks[start:stop])
    out = out.reshape(-1)
    if n % 16:
        tail = fill16(_uniform_bits(gen, 16, dt).reshape(1, 2, 8)).reshape(-1)
        out = np.concatenate([out[: n - 16], tail])
    return out


def _avx2_fill16(blk: np.ndarray, mean_f, std_f) -> np.ndarray:
    """NormalFill16<float> (AVX2) on blocks of shape (k, 2, 8)."""
    u1 = _ONE - blk[:, 0, :]
    u2 = blk[:, 1, :]
    radius = np.sqrt(_MINUS_TWO_F * _log256_ps(u1))
    s, c = _sincos256_ps(_TWO_PI_F * u2)
    res = np.empty(blk.shape, dtype=np.float32)
    np.multiply(radius, c, out=res[:, 0, :])
    np.multiply(radius, s, out=res[:, 1, :])
    if not (mean_f == 0 and std_f == 1):
        res = _fma32(res, std_f, mean_f)
    return res


def _avx2_blocks(blocks: np.ndarray, mean: float, std: float) -> np.ndarray:
    mean_f, std_f = np.float32(mean), np.float32(std)
    out = np.empty(blocks.shape, dtype=np.float32)
    for start in range(0, blocks.shape[0], _CHUNK_BLOCKS):
        stop = min(start + _CHUNK_BLOCKS, blocks.shape[0])
        out[start:stop] = _avx2_fill16(blocks[start:stop], mean_f, std_f)
    return out


def _normal_fill_avx2(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    return _blocks_then_tail(gen, n, np.dtype(np.float32),
                             lambda blk: _avx2_blocks(blk, mean, std))


def _normal_fill_f64(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    trivial = mean == 0.0 and std == 1.0
    two_pi = 2.0 * math.pi

    def fill16(blk):
        u1 = 1.0 - blk[:, 0, :]
        u2 = blk[:, 1, :]
        radius = np.sqrt(-2.0 * _log64(u1))
        theta = two_pi * u2
        res = np.empty_like(blk)
        res[:, 0, :] = radius * _cos64(theta)
        res[:, 1, :] = radius * _sin64(theta)
        if not trivial:
            res = _fma64(res, std, mean)
        return res

    return _blocks_then_tail(gen, n, np.dtype(np.float64), fill16)


def _normal_fill_reduced(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """normal_fill for float16: float (AVX2) blocks of 16 from a 16-float stack
    buffer refilled per block, cast to half; the last 16 outputs are redone from
    16 fresh uniforms when n % 16 != 0.  Unlike float32, no uniforms are drawn
    for the partial block itself."""
    full = n // 16
    draws = full * 16 + (16 if n % 16 else 0)
    u = _uniform_bits(gen, draws, np.dtype(np.float32)).reshape(-1, 2, 8)
    res = _avx2_blocks(u, mean, std).reshape(-1)
    if n % 16:
        res = np.concatenate([res[: n - 16], res[full * 16:]])
    return res.astype(np.float16)


def _normal_kernel(gen: Generator, n: int, dt: np.dtype, mean: float, std: float) -> np.ndarray:
    """``normal_kernel`` of cpu/DistributionTemplates.h on a contiguous tensor."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if n >= 16 and dt == np.float32:
        return _normal_fill_avx2(gen, n, mean, std)
    if n >= 16 and dt == np.float64:
        return _normal_fill_f64(gen, n, mean, std)
    if n >= 16:
        return _normal_fill_reduced(gen, n, mean, std)
    out = _normal_scalar_path(gen, n, mean, std)
    if dt == np.float16:  # static_cast<Half>(double) goes through float
        out = out.astype(np.float32)
    return out.astype(dt)


def randn(shape, np_dtype=np.float32, generator=None) -> np.ndarray:
    """``torch.randn(shape, dtype=...)``: standard normal."""
    shape = _shape_tuple(shape)
    dt = _float_dtype(np_dtype)
    return _normal_kernel(_gen(generator), _numel(shape), dt, 0.0, 1.0).reshape(shape)


def normal(mean, std, shape=None, np_dtype=np.float32, generator=None) -> np.ndarray:
    """``torch.normal`` / ``Tensor.normal_``.

    * scalar ``mean`` and ``std``: ``torch.normal(mean, std, size=shape)``, i.e. the
      normal kernel with mean/std folded in (``Tensor.normal_(mean, std)``);
    * array ``mean`` and/or ``std``: PyTorch draws standard normals of the
      broadcast shape and then computes ``out * std + mean`` as two separately
      rounded steps in ``np_dtype`` (array mean with scalar std: the scalar std
      is folded into the kernel and only ``+ mean`` is separate).  ``shape`` may
      be ``None`` then.
    """
    dt = _float_dtype(np_dtype)
    gen = _gen(generator)
    mean_is_arr = isinstance(mean, np.ndarray)
    std_is_arr = isinstance(std, np.ndarray)
    if not mean_is_arr and not std_is_arr:
        shape = _shape_tuple(shape)
        return _normal_kernel(gen, _numel(shape), dt, float(mean), float(std)).reshape(shape)
    if std_is_arr and std.size and np.any(std < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if mean_is_arr and not std_is_arr:
        out_shape = mean.shape
        z = _normal_kernel(gen, _numel(out_shape), dt, 0.0, float(std)).reshape(out_shape)
        return (z + mean.astype(dt, copy=False)).astype(dt, copy=False)
    if std_is_arr and not mean_is_arr:
        out_shape = std.shape
        z = _normal_kernel(gen, _numel(out_shape), dt, 0.0, 1.0).reshape(out_shape)
        return (z * std.astype(dt, copy=False) + dt.type(mean)).astype(dt, copy=False)
    out_shape = np.broadcast_shapes(mean.shape, std.shape)
    z = _normal_kernel(gen, _numel(out_shape), dt, 0.0, 1.0).reshape(out_shape)
    z = (z * std.astype(dt, copy=False)).astype(dt, copy=False)
    return (z + mean.astype(dt, copy=False)).astype(dt, copy=False)


# --------------------------------------------------------------------------- integers


_FLOAT_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _int_through_float(v: int, dt: np.dtype) -> int:
    """static_cast<int64_t>(static_cast<scalar_t>(v))."""
    return int(np.array(v, dtype=np.int64).astype(dt))


def _update_from(frm: int, dt: np.dtype) -> int:
    """DistributionTemplates.h::update_from: keep from+1 inside the dtype's integers."""
    from_plus_1 = _int_through_float(frm + 1, dt)
    if from_plus_1 < frm:
        n = abs(frm + 1).bit_length() - 1
        frm = from_plus_1 + (1 << (n - _FLOAT_DIGITS[dt] + 1))
    return frm


def _update_to(to: int, dt: np.dtype) -> int:
    """DistributionTemplates.h::update_to: keep to-1 below ``to`` after the cast."""
    to_minus_1 = _int_through_float(to - 1, dt)
    if to_minus_1 >= to:
        n = abs(to - 1).bit_length() - 1
        to = to_minus_1 - (1 << (n - _FLOAT_DIGITS[dt] + 1))
    return to


def randint(low, high, shape, np_dtype=np.int64, generator=None) -> np.ndarray:
    """``torch.randint(low, high, shape, dtype=...)``.

    ``random_from_to``: ``(random() % range) + low`` with ``range = high - low``;
    public PyTorch wheels switch to ``random64()`` once ``range >= 2**28``
    (whatever the dtype).  For floating dtypes ``low``/``high`` are first nudged
    by ``update_from``/``update_to`` so that the cast cannot leave [low, high).
    """
    shape = _shape_tuple(shape)
    dt = np.dtype(np_dtype)
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    if dt in _FLOAT_DIGITS:
        low, high = _update_from(low, dt), _update_to(high, dt)
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, "
                f"but got from={low} >= to={high}")
    gen = _gen(generator)
    n = _numel(shape)
    rng = (high - low) & _U64
    val = gen._random64(n) if rng >= (1 << 28) else gen._random(n)
    v = (val % np.uint64(rng)) + np.uint64(low & _U64)  # wraps like the uint64 C++ sum
    v = v.view(np.int64)
    if dt == np.bool_:
        return (v != 0).reshape(shape)
    return v.astype(dt).reshape(shape)


def _resolve_roots(ptr: np.ndarray) -> np.ndarray:
    """Follow ptr (ptr[i] <= i; roots point to themselves) to the roots.

    Pointer jumping, restricted to the entries not yet at a root.
    """
    root = ptr.copy()
    active = np.flatnonzero(root[root] != root)
    while active.size:
        nxt = root[root[active]]
        root[active] = nxt
        active = active[root[nxt] != nxt]
    return root


def _group_links(target: np.ndarray, n_pos: int):
    """For steps k = 0..m-1 that write into position target[k] (0 <= target < n_pos):

    prev[k]  -- the previous step (< k) with the same target, or -1;
    last[p]  -- the last step whose target is p, or -1.
    Steps are grouped by sorting the unique keys target * 2**b + k.
    """
    m = target.shape[0]
    bits = max(m - 1, 1).bit_length()
    if (max(n_pos - 1, 1).bit_length() + bits) <= 63:
        keys = np.sort((target << bits) | np.arange(m, dtype=np.int64))
        order = keys & ((1 << bits) - 1)
        ts = keys >> bits
    else:  # pragma: no cover - only for n beyond ~2**31
        order = np.argsort(target, kind="stable")
        ts = target[order]
    same = ts[1:] == ts[:-1]
    prev_sorted = np.full(m, -1, dtype=np.int64)
    prev_sorted[1:][same] = order[:-1][same]
    prev = np.empty(m, dtype=np.int64)
    prev[order] = prev_sorted
    is_last = np.ones(m, dtype=bool)
    is_last[:-1] = ~same
    last = np.full(n_pos, -1, dtype=np.int64)
    last[ts[is_last]] = order[is_last]
    return prev, last


def _randperm_small(r: np.ndarray, n: int) -> np.ndarray:
    """Forward Fisher-Yates: for i < n-1, swap(a[i], a[i + r[i] % (n - i)]).

    Step i swaps position i with t[i] >= i and then never touches i again.  Let
    v[p] be what position p holds just before step p (for p = n-1: at the end).
    Just before step i, a position p >= i holds v[k] for the last step k < i that
    wrote into it (t[k] == p) -- or p itself if none did.  Hence
    result[i] = v[prev step with target t[i]] (or t[i]), and v[p] is v of the
    last step k < p with t[k] == p (or p): chains resolved by pointer jumping.
    """
    steps = n - 1
    i = np.arange(steps, dtype=np.int64)
    t = i + (r % (n - i).astype(np.uint64)).astype(np.int64)
    prev, last = _group_links(t, n)
    pos = np.arange(n, dtype=np.int64)
    # the last step writing into p before step p: last[p], unless that is step p
    # itself (t[p] == p), whose predecessor then counts
    lp = last
    self_hit = np.zeros(n, dtype=bool)
    self_hit[:steps] = lp[:steps] == i
    lp = lp.copy()
    lp[:steps][self_hit[:steps]] = prev[self_hit[:steps]]
    v = _resolve_roots(np.where(lp >= 0, lp, pos))
    out = np.empty(n, dtype=np.int64)
    out[:steps] = np.where(prev >= 0, v[np.maximum(prev, 0)], t)
    out[steps] = v[steps]
    return out


def _randperm_large(r: np.ndarray, n: int) -> np.ndarray:
    """Inside-out Fisher-Yates: for i < n, z = r[i] % (i+1); a[i] = a[z]; a[z] = i.

    Position p is written at step p (a[p] = a[z_p], or p when z_p == p) and by
    every later step j with z_j == p (a[p] = j).  So the final a[p] is the last
    step j with z_j == p if there is one, else w[p], the value p got at its own
    step: the last step k < p with z_k == z_p wrote k there, and without one
    position z_p still held w[z_p] -- a chain towards smaller positions.
    """
    i = np.arange(n, dtype=np.int64)
    z = (r % (i + 1).astype(np.uint64)).astype(np.int64)
    prev, last = _group_links(z, n)
    own = z == i
    direct = (~own) & (prev >= 0)
    base = np.where(own, i, np.where(direct, prev, -1))
    w = base[_resolve_roots(np.where(own | direct, i, z))]
    return np.where(last >= 0, last, w)


def randperm(n, np_dtype=np.int64, generator=None) -> np.ndarray:
    """``torch.randperm(n, dtype=...)``."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = np.dtype(np_dtype)
    gen = _gen(generator)
    if n < _RANDPERM_SMALL_LIMIT:
        if n <= 1:
            return np.arange(n, dtype=np.int64).astype(dt)
        perm = _randperm_small(gen._random(n - 1), n)
    else:
        perm = _randperm_large(gen._random64(n), n)
    return perm.astype(dt)


# --------------------------------------------------------------------------- bernoulli


def bernoulli(p, shape=None, np_dtype=np.float32, generator=None) -> np.ndarray:
    """Bernoulli samples as 0/1 of ``np_dtype``.

    * ``p`` a Python/NumPy scalar: ``torch.empty(shape).bernoulli_(p)`` (also what
      ``F.dropout`` uses): one float64 uniform per element, ``u < p``.
    * ``p`` an ndarray: ``torch.bernoulli(p)`` (``shape=None``) or
      ``torch.empty(shape).bernoulli_(p_tensor)`` (p broadcast to ``shape``); a
      float64 ``p`` takes float64 uniforms, any other float ``p`` float32 ones.
    """
    dt = np.dtype(np_dtype)
    gen = _gen(generator)
    if isinstance(p, np.ndarray):
        out_shape = p.shape if shape is None else _shape_tuple(shape)
        pb = np.broadcast_to(p, out_shape)
        if p.dtype == np.float64:
            u = _uniform_bits(gen, pb.size, np.dtype(np.float64))
            res = u < pb.reshape(-1)
        else:
            u = _uniform_bits(gen, pb.size, np.dtype(np.float32))
            res = u < pb.reshape(-1).astype(np.float32)
        return res.astype(dt).reshape(out_shape)
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    shape = _shape_tuple(shape)
    u = _uniform_bits(gen, _numel(shape), np.dtype(np.float64))
    return (u < p).astype(dt).reshape(shape)


# --------------------------------------------------------------------------- multinomial
#
# ``Distributions.cpp::multinomial_out`` has two paths:
# * without replacement, or for a single sample: the exponential race. q ~ Exp(1) is drawn
#   for every entry (``exponential_`` in the input's dtype: one float64 uniform u per entry,
#   ``-log1p(-u)`` in double, cast), then the categories with the largest ``p / q`` win:
#   ``argmax`` for one sample, ``topk`` for more (libstdc++'s unstable selection, replayed
#   by ``_stl_sort`` when values tie, e.g. the zeros of weight-0 categories).
# * with replacement (``MultinomialKernel.cpp``), row by row: the running sum of the weights
#   in the input's dtype (float for half), each divided by the total, the last set to 1;
#   then per sample one float64 uniform u and a binary search for the first cumulative
#   value >= u.


def _log1p_libm_matches() -> bool:
    x = np.linspace(1e-6, 1.0 - 1e-6, 1025)
    return np.array_equal(np.log1p(-x), np.array([math.log1p(-v) for v in x.tolist()]))


if _log1p_libm_matches():
    _log1p64 = np.log1p
else:  # NumPy's own SIMD log1p differs from glibc's in the last bit (seen on AVX-512 builds)
    _log1p_py = np.frompyfunc(math.log1p, 1, 1)

    def _log1p64(a):
        return _log1p_py(a).astype(np.float64)


def exponential(shape, np_dtype=np.float32, generator=None) -> np.ndarray:
    """``torch.empty(shape, dtype).exponential_()`` (rate 1): ``-log1p(-u)`` per float64 uniform u."""
    shape = _shape_tuple(shape)
    dt = _float_dtype(np_dtype)
    u = _uniform_bits(_gen(generator), _numel(shape), np.dtype(np.float64))
    q = -_log1p64(-u)
    if dt == np.float16:  # static_cast<Half>(double) goes through float
        q = q.astype(np.float32)
    return q.astype(dt).reshape(shape)


def _race(rows: np.ndarray, num_samples: int, gen: Generator) -> np.ndarray:
    """The no-replacement path on (n_dist, n) weights of a float dtype."""
    q = exponential(rows.shape, rows.dtype, gen)
    with np.errstate(divide="ignore", invalid="ignore"):
        keys = rows / q  # in the weights' dtype, as at::div_out
    if num_samples == 1:  # argmax: the first largest, NaN counting as largest
        return np.argmax(keys, axis=-1)[:, None]
    from ._stl_sort import topk_indices
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    n = rows.shape[1]
    for r, row in enumerate(keys):
        order = np.argsort(-row, kind="stable")
        top = row[order[:num_samples + 1]] if num_samples < n else row[order]
        # Without ties (and NaN) any exact selection gives topk's answer; else replay it.
        if np.isnan(top).any() or (top[1:] == top[:-1]).any():
            out[r] = topk_indices(row.tolist(), num_samples)
        else:
            out[r] = order[:num_samples]
    return out


def _bad_entry(value, replacement_kernel):
    """PyTorch's two kernels word a bad weight differently (the replacement one per entry, NaN as '< 0')."""
    if not replacement_kernel:
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0: weights must be "
                           "finite and non-negative")
    raise RuntimeError("invalid multinomial distribution (encountering probability entry "
                       f"{'= infinity or NaN' if value >= 0 else '< 0'}): weights must be finite and non-negative")


def _bad_sum(ndim):
    raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0): "
                       + ("a row has" if ndim == 2 else "the input has") + " no positive weight")


def _with_replacement(rows: np.ndarray, num_samples: int, gen: Generator, ndim: int) -> np.ndarray:
    """The replacement path: row by row, each row checked just before its draws (as the kernel)."""
    acc = np.float32 if rows.dtype == np.float16 else rows.dtype.type
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for r, row in enumerate(rows):
        bad = ~(row >= 0) | ~np.isfinite(row)
        if bad.any():
            _bad_entry(row[np.argmax(bad)], True)
        cum = np.cumsum(row.astype(acc))  # sequential, as the kernel's running sum
        total = cum[-1] if cum.size else acc(0)  # (no categories: a sum of 0)
        if not total > 0:
            _bad_sum(ndim)
        cum = cum / total
        cum[-1] = 1
        u = _uniform_bits(gen, num_samples, np.dtype(np.float64))
        out[r] = np.searchsorted(cum.astype(np.float64), u, side="left")
    return out


def multinomial(probs: np.ndarray, num_samples: int, replacement: bool = False, generator=None) -> np.ndarray:
    """``torch.multinomial(probs, num_samples, replacement)`` on a 1-D or 2-D float array: int64 indices.

    The caller has checked the shape, dtype and ``num_samples``; the weights are checked
    here, where and in the order PyTorch's kernels check them (the replacement kernel
    draws a row's samples before it looks at the next row).
    """
    gen = _gen(generator)
    n = probs.shape[-1]
    rows = probs.reshape(probs.shape[0] if probs.ndim == 2 else 1, n)
    if rows.shape[0] * num_samples == 0:
        return np.empty(probs.shape[:-1] + (num_samples,), dtype=np.int64)
    if not replacement or num_samples == 1:
        if rows.size == 0:  # (PyTorch's max() of nothing)
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity: the weights tensor is empty")
        if not (np.all(rows >= 0) and np.all(rows < np.inf)):
            _bad_entry(None, False)
        if (rows.sum(-1, dtype=rows.dtype) == 0).any():
            _bad_sum(probs.ndim)
        out = _race(rows, num_samples, gen)
    else:
        out = _with_replacement(rows, num_samples, gen, probs.ndim)
    return out.reshape(probs.shape[:-1] + (num_samples,))
