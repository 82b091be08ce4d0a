"""logpipe: a small batch log-analytics service.

The service ingests two kinds of logs produced by a fleet of web frontends
and backend services:

* an *access log* in an Apache/nginx "combined"-like format, parsed with a
  hand-written field tokenizer (:mod:`logpipe.tokenizer`), and
* an *application log* with a ``timestamp LEVEL [service] logger - message |
  key=value ...`` layout, parsed with regular expressions
  (:mod:`logpipe.parser`).

Records are validated, enriched (client classification, subnet lookup, route
templating), sessionized per visitor, aggregated into latency percentiles and
histograms, fingerprinted and clustered by message similarity.  Reports are
serialised to JSON (and gzip) in an output directory.

For a self-contained demo the package can synthesise a deterministic log
corpus first (:mod:`logpipe.generate`), which is what ``python -m logpipe``
does by default.
"""

__all__ = ["__version__"]

__version__ = "1.4.2"
