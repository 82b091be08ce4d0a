"""Pipeline configuration.

Workload sizes are derived from a single ``scale`` factor so that the demo
can be sized for a laptop or a benchmark box with one flag.  The defaults
(``scale=1.0``) take roughly half a minute on a small two-core VM.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from logpipe.generate import CORPUS_START


@dataclass
class PipelineConfig:
    """All knobs of one pipeline run."""

    output_dir: Path
    input_dir: Optional[Path] = None
    seed: int = 20240301
    access_lines: int = 165_000
    app_lines: int = 62_000
    visitors: int = 4_000
    shards: int = 4
    session_gap: float = 30 * 60.0
    cluster_threshold: float = 0.75
    cluster_max_messages: int = 2_400
    top_k: int = 15
    batch_size: int = 4096
    verbose: bool = False
    background_threads: bool = False
    export_compresslevel: int = 6
    window: tuple[float, float] = field(default=(CORPUS_START - 3600, CORPUS_START + 3 * 86400))

    @classmethod
    def from_scale(cls, output_dir: Path, scale: float = 1.0, **overrides) -> "PipelineConfig":
        """Build a config whose workload grows linearly with ``scale``.

        The clustering cap grows with ``scale`` too, but its cost grows
        faster than linearly (every message is compared with every cluster
        leader), which mirrors production behaviour.
        """
        if scale <= 0:
            raise ValueError("scale must be positive")
        base = cls(output_dir=output_dir)
        sized = cls(
            output_dir=output_dir,
            access_lines=max(1000, int(base.access_lines * scale)),
            app_lines=max(500, int(base.app_lines * scale)),
            visitors=max(50, int(base.visitors * min(scale, 4.0))),
            cluster_max_messages=max(100, int(base.cluster_max_messages * scale)),
        )
        for name, value in overrides.items():
            if value is not None:
                setattr(sized, name, value)
        return sized

    @property
    def corpus_dir(self) -> Path:
        """Where the shards are read from (generated there if needed)."""
        return self.input_dir if self.input_dir is not None else self.output_dir / "corpus"

    def describe(self) -> dict[str, object]:
        """JSON-friendly view for the run summary."""
        data = asdict(self)
        data["output_dir"] = str(self.output_dir)
        data["input_dir"] = str(self.input_dir) if self.input_dir else None
        data["window"] = list(self.window)
        return data
