"""libstdc++'s ``std::nth_element``, ``std::sort`` and ``std::partial_sort``, step for step.

Why this exists: PyTorch's CPU ``topk`` (and so ``multinomial`` without replacement,
which is a ``topk`` of ``p / Exp(1)`` draws) selects with these C++ algorithms,
which are not stable. When values tie -- most often the zeros of categories
with weight 0, once the positive ones are used up -- *which* of the tied indices
come out, and in which order, is whatever these algorithms leave behind. To give
PyTorch's answer in that case too, this module replays them exactly as GCC's
``bits/stl_algo.h`` and ``bits/stl_heap.h`` write them (the same pivots, the same
swaps, the same heap sift-downs). Without ties any correct selection gives the
same answer, so callers use NumPy then and come here only for tied rows.

Elements are ``(value, index)`` pairs; ``comp(x, y)`` is topk's ``largest=True``
comparator: NaN before numbers, then larger before smaller.

>>> topk_indices([0.0] * 6, 3)   # torch.zeros(6).topk(3).indices is tensor([3, 5, 4]) too
[3, 5, 4]
"""


def _before(x, y):
    """topk's comparator for largest=True: ``isnan(x) && !isnan(y) || x > y``."""
    a, b = x[0], y[0]
    return (a != a and b == b) or a > b


def _lg(n):
    return n.bit_length() - 1


# ----------------------------------------------------------------------------- heaps (stl_heap.h)
# ``comp(x, y)`` is C++'s "x is less than y": the heap's top is an element nothing is greater than. (The
# backward engine replays PyTorch's ready queue, a ``std::priority_queue``, with these two and its own ``comp``.)
def _push_heap(v, first, hole, top, value, comp=_before):
    parent = (hole - 1) // 2
    while hole > top and comp(v[first + parent], value):
        v[first + hole] = v[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole] = value


def _adjust_heap(v, first, hole, length, value, comp=_before):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if comp(v[first + child], v[first + child - 1]):
            child -= 1
        v[first + hole] = v[first + child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        v[first + hole] = v[first + child - 1]
        hole = child - 1
    _push_heap(v, first, hole, top, value, comp)


def _make_heap(v, first, last):
    length = last - first
    if length < 2:
        return
    parent = (length - 2) // 2
    while True:
        _adjust_heap(v, first, parent, length, v[first + parent])
        if parent == 0:
            return
        parent -= 1


def _pop_heap(v, first, last, result):
    value = v[result]
    v[result] = v[first]
    _adjust_heap(v, first, 0, last - first, value)


def _heap_select(v, first, middle, last):
    _make_heap(v, first, middle)
    for i in range(middle, last):
        if _before(v[i], v[first]):
            _pop_heap(v, first, middle, i)


def _sort_heap(v, first, last):
    while last - first > 1:
        last -= 1
        _pop_heap(v, first, last, last)


# ----------------------------------------------------------------------------- sorting (stl_algo.h)
_S_THRESHOLD = 16


def _move_median_to_first(v, result, a, b, c):
    if _before(v[a], v[b]):
        if _before(v[b], v[c]):
            v[result], v[b] = v[b], v[result]
        elif _before(v[a], v[c]):
            v[result], v[c] = v[c], v[result]
        else:
            v[result], v[a] = v[a], v[result]
    elif _before(v[a], v[c]):
        v[result], v[a] = v[a], v[result]
    elif _before(v[b], v[c]):
        v[result], v[c] = v[c], v[result]
    else:
        v[result], v[b] = v[b], v[result]


def _unguarded_partition(v, first, last, pivot):
    while True:
        while _before(v[first], v[pivot]):
            first += 1
        last -= 1
        while _before(v[pivot], v[last]):
            last -= 1
        if not first < last:
            return first
        v[first], v[last] = v[last], v[first]
        first += 1


def _unguarded_partition_pivot(v, first, last):
    mid = first + (last - first) // 2
    _move_median_to_first(v, first, first + 1, mid, last - 1)
    return _unguarded_partition(v, first + 1, last, first)


def _unguarded_linear_insert(v, last):
    val = v[last]
    nxt = last - 1
    while _before(val, v[nxt]):
        v[last] = v[nxt]
        last = nxt
        nxt -= 1
    v[last] = val


def _insertion_sort(v, first, last):
    if first == last:
        return
    for i in range(first + 1, last):
        if _before(v[i], v[first]):
            val = v[i]
            v[first + 1:i + 1] = v[first:i]
            v[first] = val
        else:
            _unguarded_linear_insert(v, i)


def _final_insertion_sort(v, first, last):
    if last - first > _S_THRESHOLD:
        _insertion_sort(v, first, first + _S_THRESHOLD)
        for i in range(first + _S_THRESHOLD, last):
            _unguarded_linear_insert(v, i)
    else:
        _insertion_sort(v, first, last)


def _introsort_loop(v, first, last, depth):
    while last - first > _S_THRESHOLD:
        if depth == 0:
            _heap_select(v, first, last, last)   # std::__partial_sort(first, last, last)
            _sort_heap(v, first, last)
            return
        depth -= 1
        cut = _unguarded_partition_pivot(v, first, last)
        _introsort_loop(v, cut, last, depth)
        last = cut


def sort(v, first, last):
    """``std::sort(v + first, v + last, comp)``."""
    if first != last:
        _introsort_loop(v, first, last, _lg(last - first) * 2)
        _final_insertion_sort(v, first, last)


def nth_element(v, first, nth, last):
    """``std::nth_element(v + first, v + nth, v + last, comp)``."""
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(v, first, nth + 1, last)
            v[first], v[nth] = v[nth], v[first]
            return
        depth -= 1
        cut = _unguarded_partition_pivot(v, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(v, first, last)


def partial_sort(v, first, middle, last):
    """``std::partial_sort(v + first, v + middle, v + last, comp)``."""
    _heap_select(v, first, middle, last)
    _sort_heap(v, first, middle)


def topk_indices(values, k):
    """The indices PyTorch's CPU ``topk(k)`` (largest, sorted) returns for one row, ties included.

    ``topk_impl_loop``: a heap-based ``partial_sort`` when ``k * 64 <= n``, otherwise
    ``nth_element`` around position k-1 followed by a ``sort`` of the first k-1.
    """
    v = [(float(x), i) for i, x in enumerate(values)]
    n = len(v)
    if k * 64 <= n:
        partial_sort(v, 0, k, n)
    else:
        nth_element(v, 0, k - 1, n)
        sort(v, 0, k - 1)
    return [i for _, i in v[:k]]


__all__ = ["topk_indices", "nth_element", "sort", "partial_sort"]
