package io.tornadoj.benchmarks.http;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens N keep-alive connections to a hello server, makes one request on each (so the server has set
 * up its per-connection state), then leaves them idle, prints {@code OPEN N}, and closes them all when
 * a line arrives on stdin. Used to measure a server's memory per idle connection.
 *
 * <pre>java -cp benchmarks.jar io.tornadoj.benchmarks.http.IdleClients 127.0.0.1 PORT 10000</pre>
 */
public final class IdleClients {
    private IdleClients() {
    }

    /**
     * Entry point.
     *
     * @param args host port count
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int n = Integer.parseInt(args[2]);
        byte[] request = ("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        List<Socket> sockets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Socket s = new Socket(host, port);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request);
            readResponse(s.getInputStream());
            sockets.add(s);
        }
        System.out.println("OPEN " + sockets.size());
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** Reads one response with a Content-Length body. */
    private static void readResponse(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("connection closed");
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
    }
}
