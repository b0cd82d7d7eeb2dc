#!/usr/bin/env python3
"""moto_server that exits when its parent goes away (its stdin closes), so a test process that never drops its
Emulator (a static, a crash) leaves no server behind. Usage: run_moto.py -H 127.0.0.1 -p PORT"""

import os
import sys
import threading

from moto.server import main


def watch_parent():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


if __name__ == "__main__":
    if not sys.stdin.isatty():
        threading.Thread(target=watch_parent, daemon=True).start()
    main(sys.argv[1:])
