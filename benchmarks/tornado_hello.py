#!/usr/bin/env python3
"""Python Tornado's hello world, the floor DESIGN.md compares Tornado-J against (>= 10x its req/s per core).

    taskset -c 0 /usr/bin/python3 benchmarks/tornado_hello.py 8889 &     # Debian's python3-tornado
    taskset -c 1 wrk -t1 -c64 -d10s http://127.0.0.1:8889/
"""
import asyncio
import sys

import tornado.web


class MainHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("Hello, world")


async def main(port):
    tornado.web.Application([(r"/", MainHandler)]).listen(port, "127.0.0.1")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8889))
