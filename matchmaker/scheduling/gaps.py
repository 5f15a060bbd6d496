"""Who is busy when, and the idle gaps that follow: the one hole counter of the
agenda searches (`holes.py`, and `compact.py` with its annealing and models).

Each participant's busy slots are one integer, a bit per slot in time order and
a zero bit between two days: runs of ones are runs of meetings, so the idle gaps
(maximal runs of free slots between two meetings of one day) and the idle slots
inside them are a few integer operations.

No OR-Tools here: the annealing's child process imports this module.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence


class DayBits:
    """The bit of every slot, given the slots of each day in time order."""

    def __init__(self, days: Sequence[Sequence[int]], n_slots: int) -> None:
        self.bit = [0] * n_slots
        self.day_masks: list[int] = []
        self.day_of = [0] * n_slots
        off = 0
        for d, day in enumerate(days):
            for j, s in enumerate(day):
                self.bit[s] = 1 << (off + j)
                self.day_of[s] = d
            self.day_masks.append(((1 << len(day)) - 1) << off)
            off += len(day) + 1
        self.one_day = len(days) == 1
        self.gaps = self._gaps_function()

    def mask(self, slots: Iterable[int]) -> int:
        bit = self.bit
        out = 0
        for s in slots:
            out |= bit[s]
        return out

    def _gaps_function(self) -> Callable[[int], tuple[int, int]]:
        """`gaps(mask)`: (idle gaps, idle slots) of a busy mask, over all days. A closure
        rather than a method: the annealing calls it millions of times."""
        day_masks = self.day_masks

        def one_day(m: int) -> tuple[int, int]:
            if not m:
                return 0, 0
            runs = (m & ~(m << 1)).bit_count()
            return runs - 1, m.bit_length() - (m & -m).bit_length() + 1 - m.bit_count()

        def several_days(m: int) -> tuple[int, int]:
            if not m:
                return 0, 0
            runs = (m & ~(m << 1)).bit_count()
            used = 0
            span = 0
            for dm in day_masks:
                x = m & dm
                if x:
                    used += 1
                    span += x.bit_length() - (x & -x).bit_length() + 1
            return runs - used, span - m.bit_count()

        return one_day if self.one_day else several_days

    def day_gaps(self, m: int, d: int) -> tuple[int, int]:
        """(idle gaps, idle slots) of a busy mask on day `d`."""
        x = m & self.day_masks[d]
        if not x:
            return 0, 0
        runs = (x & ~(x << 1)).bit_count()
        return runs - 1, x.bit_length() - (x & -x).bit_length() + 1 - x.bit_count()

    def span(self, m: int, d: int) -> tuple[int, int] | None:
        """Positions (within day `d`) of the first and last busy slot, if any."""
        x = m & self.day_masks[d]
        if not x:
            return None
        low = (self.day_masks[d] & -self.day_masks[d]).bit_length()
        return (x & -x).bit_length() - low, x.bit_length() - low


class Agendas:
    """The occupancy the hole searches share: each participant's busy slots as a mask."""

    def __init__(self, bits: DayBits) -> None:
        self.bits = bits
        self.mask: dict[Hashable, int] = {}

    @classmethod
    def of(cls, bits: DayBits, busy: Iterable[tuple[Hashable, int]]) -> Agendas:
        """From (participant, slot) pairs."""
        agendas = cls(bits)
        for p, s in busy:
            agendas.add(p, s)
        return agendas

    def add(self, p: Hashable, s: int) -> None:
        self.mask[p] = self.mask.get(p, 0) | self.bits.bit[s]

    def discard(self, p: Hashable, s: int) -> None:
        if p in self.mask:
            self.mask[p] &= ~self.bits.bit[s]

    def busy(self, p: Hashable, s: int) -> bool:
        return bool(self.mask.get(p, 0) & self.bits.bit[s])

    def gaps(self, p: Hashable) -> tuple[int, int]:
        return self.bits.gaps(self.mask.get(p, 0))

    def day_gaps(self, p: Hashable, d: int) -> tuple[int, int]:
        return self.bits.day_gaps(self.mask.get(p, 0), d)

    def total(self) -> tuple[int, int]:
        """(idle gaps, idle slots) of everyone."""
        holes = idle = 0
        gaps = self.bits.gaps
        for m in self.mask.values():
            h, i = gaps(m)
            holes += h
            idle += i
        return holes, idle
