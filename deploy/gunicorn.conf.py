"""Gunicorn's settings for Haven in production (haven-web.service).

The address comes from the command line (``--bind``): a Unix socket that
nginx reaches in production, a loopback port in scripts/production-check.
"""

# Two processes of four threads each fit a two-core server; more cores, more workers.
workers = 2
threads = 4
# Exporting a long record takes up to a minute; leave room for the slowest page.
timeout = 180
graceful_timeout = 30
# Restart each worker now and then, so that no process lives for weeks.
max_requests = 2000
max_requests_jitter = 200
# Access lines would hold query strings (search words): nginx keeps its own
# log without them; gunicorn keeps errors only.
accesslog = None
errorlog = "-"
# The only proxy is nginx on this machine.
forwarded_allow_ips = "127.0.0.1"
# No runtime control socket (gunicorn 25+ opens one in $HOME by default):
# systemctl reload and stop are all an operator needs, and nothing else
# on the machine should be able to resize or stop Haven.
control_socket_disable = True
