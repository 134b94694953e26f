"""The peers the load benchmarks measure this server against, each a small runnable module."""
