#!/usr/bin/env python3
"""moto_server that exits when its parent goes away (its stdin closes), so a test process that never drops its
Emulator (a static, a crash) leaves no server behind.
It also loads the backends opsdeck uses in the background while the server starts: moto imports them on first use,
and ECS alone (which pulls in EC2) costs ~1.2 s of the first request otherwise.
Usage: run_moto.py [--exit-with-stdin] -H 127.0.0.1 -p PORT   (other arguments go to moto_server)"""

import os
import sys
import threading

from moto.server import main

WARM = ["ecs", "logs", "sagemaker", "cloudwatch", "applicationautoscaling", "ssm"]


def warm_backends():
    from moto import backends

    for name in WARM:
        try:
            backends.get_backend(name)["123456789012"]["us-east-1"]
        except Exception as e:  # noqa: BLE001 - warming is best effort
            print(f"run_moto: could not warm {name}: {e}", file=sys.stderr)


def watch_parent():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--exit-with-stdin"]:
        args = args[1:]
        threading.Thread(target=watch_parent, daemon=True).start()
    threading.Thread(target=warm_backends, daemon=True).start()
    main(args)
