# WebSocket interop with Python Tornado (run by io.tornadoj.websocket.WebSocketInteropTest).
#   client URL: connects to a Tornado-J server with permessage-deflate and subprotocol "chat", echoes a text
#               and a binary message, closes with 4000 "py bye"; prints one JSON line of what it saw.
#   server:     serves an echo WebSocket (compression on) on a free port, prints the port, then prints the
#               close code and reason of the first connection that closes, and exits.
import json
import sys

from tornado import httpserver, ioloop, netutil, web, websocket


async def client(url):
    ws = await websocket.websocket_connect(url, compression_options={}, subprotocols=["chat"])
    out = {"subprotocol": ws.selected_subprotocol,
           "extensions": ws.headers.get("Sec-WebSocket-Extensions", "")}
    await ws.write_message("h\u00e9llo " * 100)
    out["text"] = await ws.read_message()
    await ws.write_message(b"\x00\xff" * 10, binary=True)
    out["binary"] = list(await ws.read_message())
    ws.close(4000, "py bye")
    out["after_close"] = await ws.read_message()
    out["close_code"] = ws.close_code
    print(json.dumps(out), flush=True)


class Echo(websocket.WebSocketHandler):
    def get_compression_options(self):
        return {}

    def on_message(self, message):
        return self.write_message(message, binary=isinstance(message, bytes))

    def on_close(self):
        print("closed %s %s" % (self.close_code, self.close_reason), flush=True)
        ioloop.IOLoop.current().add_callback(ioloop.IOLoop.current().stop)


def server():
    app = web.Application([(r"/echo", Echo)])
    sockets = netutil.bind_sockets(0, "127.0.0.1")
    httpserver.HTTPServer(app).add_sockets(sockets)
    print(sockets[0].getsockname()[1], flush=True)
    loop = ioloop.IOLoop.current()
    loop.call_later(30, loop.stop)
    loop.start()


if sys.argv[1] == "client":
    ioloop.IOLoop.current().run_sync(lambda: client(sys.argv[2]), timeout=30)
else:
    server()
