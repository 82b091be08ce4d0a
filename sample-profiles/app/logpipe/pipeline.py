"""The end-to-end analytics pipeline.

Stages, in order:

1. ``generate``  -- synthesise the corpus (skipped with ``--input``);
2. ``access``    -- read, parse, validate and enrich the access log;
3. ``sessions``  -- sessionize visitors and compute visit analytics;
4. ``latency``   -- latency percentiles/histograms and traffic top-k;
5. ``app``       -- read, parse, validate and fingerprint the service log;
6. ``cluster``   -- similarity clustering of warning/error messages;
7. ``reports``   -- flush the report writer and write the run summary.

Report files are handed to a :class:`~logpipe.report.ReportWriter` as soon
as each section is ready.  With ``background_threads`` the writer runs on its
own thread and a :class:`ProgressMonitor` heartbeat thread reports progress;
by default everything runs on the main thread.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from logpipe.cluster import MessageClusterer
from logpipe.config import PipelineConfig
from logpipe.enrich import Enricher
from logpipe.fingerprint import Fingerprinter, pseudonymize
from logpipe.generate import LogGenerator
from logpipe.parser import AccessLogParser, AppLogParser
from logpipe.reader import ShardReader, read_batches
from logpipe.records import AccessRecord, AppRecord, Session
from logpipe.report import ReportWriter, WriteJob
from logpipe.sessions import SessionAnalytics, Sessionizer
from logpipe.stats import TopK, group_latency_report
from logpipe.timefmt import format_iso
from logpipe.validate import Validator


def export_row(record: AccessRecord) -> dict[str, object]:
    """Flat row for the warehouse load file of enriched access records."""
    return {
        "ts": record.timestamp,
        "addr": pseudonymize(record.remote_addr),
        "user": pseudonymize(record.user),
        "method": record.method,
        "path": record.path,
        "query": record.query,
        "route": record.route,
        "status": record.status,
        "bytes": record.size,
        "rt": record.response_time,
        "client": record.client_kind,
        "browser": record.browser,
        "subnet": record.subnet,
        "network": record.network or None,
        "src": f"{record.source}:{record.line_no}",
    }


def hour_bucket(timestamp: float) -> str:
    """``YYYY-MM-DDTHH`` label of the UTC hour containing ``timestamp``."""
    return format_iso(timestamp - timestamp % 3600)[:13]


class ProgressMonitor(threading.Thread):
    """Heartbeat thread that reports the current stage every few seconds."""

    def __init__(self, interval: float = 2.0, verbose: bool = False) -> None:
        super().__init__(name="progress", daemon=True)
        self.interval = interval
        self.verbose = verbose
        self.stage = "starting"
        self.beats = 0
        self._stopped = threading.Event()

    def run(self) -> None:
        started = time.monotonic()
        while not self._stopped.wait(self.interval):
            self.beats += 1
            if self.verbose:
                elapsed = time.monotonic() - started
                print(f"[{elapsed:6.1f}s] still in stage {self.stage}", file=sys.stderr)

    def stop(self) -> None:
        self._stopped.set()
        self.join()


class Pipeline:
    """Run every stage for one :class:`PipelineConfig`."""

    def __init__(self, config: PipelineConfig) -> None:
        self.config = config
        self.timings: dict[str, float] = {}
        self.cpu_timings: dict[str, float] = {}
        self.monitor = ProgressMonitor(verbose=config.verbose)
        self.writer = ReportWriter(config.output_dir, background=config.background_threads)
        self.summary: dict[str, object] = {"config": config.describe()}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a stage and publish it to the progress monitor."""
        self.monitor.stage = name
        started = time.perf_counter()
        cpu_started = time.process_time()
        try:
            yield
        finally:
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            self.timings[name] = round(wall, 3)
            self.cpu_timings[name] = round(cpu, 3)
            if self.config.verbose:
                print(f"stage {name:<9} {wall:7.2f}s wall {cpu:7.2f}s cpu", file=sys.stderr)

    # -- stages -----------------------------------------------------------

    def generate_corpus(self) -> list[Path]:
        config = self.config
        generator = LogGenerator(seed=config.seed, visitors=config.visitors)
        return generator.write_corpus(config.corpus_dir, config.access_lines,
                                      config.app_lines, shards=config.shards)

    def load_access(self) -> list[AccessRecord]:
        config = self.config
        reader = ShardReader.from_directory(config.corpus_dir, "access-*.log*")
        parser = AccessLogParser()
        validator = Validator.for_access_log(*config.window)
        enricher = Enricher()
        records: list[AccessRecord] = []
        for batch in read_batches(reader, config.batch_size):
            parsed = parser.parse_lines(batch)
            records.extend(enricher.enrich(validator.filter(parsed)))
        self.writer.submit(WriteJob("access-enriched.jsonl", rows=(export_row(r) for r in records),
                                    compress=True,
                                    compresslevel=self.config.export_compresslevel))
        self.summary["access"] = {
            "read": reader.stats.as_dict(),
            "parse": parser.summary(),
            "validate": validator.summary(),
            "network_hits": enricher.network_hits,
        }
        return records

    def analyse_sessions(self, records: list[AccessRecord]) -> list[Session]:
        sessionizer = Sessionizer(gap=self.config.session_gap)
        sessions = sessionizer.sessionize(records)
        analytics = SessionAnalytics(sessions, top_k=self.config.top_k)
        self.summary["sessions"] = dict(analytics.summary(), skipped_bots=sessionizer.skipped_bots)
        self.writer.submit(WriteJob("sessions.jsonl", rows=(s.to_json() for s in sessions),
                                    compress=True))
        return sessions

    def analyse_latency(self, records: list[AccessRecord]) -> None:
        by_route: dict[str, list[float]] = defaultdict(list)
        by_network: dict[str, list[float]] = defaultdict(list)
        by_client: dict[str, list[float]] = defaultdict(list)
        by_hour: dict[str, list[float]] = defaultdict(list)
        statuses = TopK(20)
        paths = TopK(self.config.top_k)
        subnets = TopK(self.config.top_k)
        slow = TopK(self.config.top_k)
        for record in records:
            by_route[f"{record.method} {record.route}"].append(record.response_time)
            by_network[record.network or "internet"].append(record.response_time)
            by_client[record.client_kind].append(record.response_time)
            by_hour[hour_bucket(record.timestamp)].append(record.response_time)
            statuses.add(record.status)
            paths.add(record.path)
            subnets.add(record.subnet)
            if record.response_time > 1.0:
                slow.add(record.route)
        self.writer.submit(WriteJob("latency.json", document={
            "by_route": group_latency_report(by_route),
            "by_network": group_latency_report(by_network),
            "by_client": group_latency_report(by_client),
            "by_hour": group_latency_report(by_hour),
        }))
        self.writer.submit(WriteJob("traffic.json", document={
            "statuses": statuses.top(),
            "top_paths": paths.top(),
            "top_subnets": subnets.top(),
            "slow_routes": slow.top(),
        }))

    def load_app(self) -> list[AppRecord]:
        config = self.config
        reader = ShardReader.from_directory(config.corpus_dir, "app-*.log*")
        parser = AppLogParser()
        validator = Validator.for_app_log(*config.window)
        fingerprinter = Fingerprinter()
        records: list[AppRecord] = []
        for batch in read_batches(reader, config.batch_size):
            records.extend(fingerprinter.process(validator.filter(parser.parse_lines(batch))))
        errors = [record for record in records if record.level in ("WARNING", "ERROR", "CRITICAL")]
        self.writer.submit(WriteJob("problems.jsonl", rows=(
            {"ts": r.timestamp, "level": r.level, "service": r.service, "fingerprint": r.fingerprint,
             "message": r.message, "trace": r.fields.get("trace"), "payload": r.payload}
            for r in errors)))
        self.writer.submit(WriteJob("templates.json", document=fingerprinter.top_templates(50)))
        self.summary["app"] = {
            "read": reader.stats.as_dict(),
            "parse": parser.summary(),
            "validate": validator.summary(),
            "payloads": parser.payloads,
            "templates": len(fingerprinter.templates),
            "fingerprint_cache_hits": fingerprinter.cache_hits,
            "problems": len(errors),
        }
        return errors

    def cluster_problems(self, problems: list[AppRecord]) -> None:
        clusterer = MessageClusterer(threshold=self.config.cluster_threshold,
                                     max_messages=self.config.cluster_max_messages)
        clusterer.fit((record.service, record.message) for record in problems)
        summary = clusterer.summary()
        self.writer.submit(WriteJob("clusters.json", document=summary))
        self.summary["clusters"] = {key: value for key, value in summary.items() if key != "top"}

    # -- driver -----------------------------------------------------------

    def run(self) -> dict[str, object]:
        """Execute the pipeline and return the run summary."""
        if self.config.background_threads:
            self.monitor.start()
        self.writer.open()
        try:
            if self.config.input_dir is None:
                with self.stage("generate"):
                    self.generate_corpus()
            with self.stage("access"):
                records = self.load_access()
            with self.stage("sessions"):
                self.analyse_sessions(records)
            with self.stage("latency"):
                self.analyse_latency(records)
            with self.stage("app"):
                problems = self.load_app()
            with self.stage("cluster"):
                self.cluster_problems(problems)
            with self.stage("reports"):
                written = self.writer.close()
        finally:
            if self.monitor.is_alive():
                self.monitor.stop()
        self.summary["outputs"] = sorted(entry.name for entry in written)
        self.summary["timings"] = self.timings
        self.summary["cpu_timings"] = self.cpu_timings
        return self.summary


def run_pipeline(config: PipelineConfig, summary_path: Optional[Path] = None) -> dict[str, object]:
    """Convenience wrapper: run and write ``summary.json``."""
    from logpipe.report import dump_document

    summary = Pipeline(config).run()
    target = summary_path or config.output_dir / "summary.json"
    target.write_text(dump_document(summary), encoding="utf-8")
    return summary
