#!/usr/bin/env bash
# What `make demo` needs beyond make and a C compiler: python3 (the fake Lambda Runtime API is a
# standard-library script). Installed with apt-get when run as root; otherwise named.
command -v python3 >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "demo: installing python3" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends python3 >&2 && exit 0
fi
echo "demo: please install python3 (sudo apt-get install python3)" >&2
exit 1
