package io.tornadoj.web;

import ch.qos.logback.classic.Level;
import io.tornadoj.httputil.MultipartStreamParser;
import io.tornadoj.ioloop.IOLoop;
import io.tornadoj.testsupport.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static io.tornadoj.web.Web.url;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MultipartStreamParser} in a {@link StreamRequestBody} handler over a real socket: files and fields
 * arrive intact with the listener's stages pausing the connection, every listener call on the loop even after
 * a stage completed elsewhere, and malformed bodies answer 400 (logged once) while the server keeps serving.
 */
@Timeout(60)
class MultipartStreamingTest {
    private TestServer server;

    /**
     * Hashes each file part as it streams (every other chunk pauses the parser until another thread releases
     * it); answers fields, files, and how many listener calls ran off the loop.
     */
    @StreamRequestBody
    public static class Upload extends RequestHandler {
        private MultipartStreamParser parser;
        private final List<String> files = new ArrayList<>();
        private IOLoop loop;
        private int offLoop;

        private void onLoop() {
            if (!loop.inLoop()) {
                offLoop++;
            }
        }

        @Override
        public CompletionStage<?> prepare() {
            loop = IOLoop.current();
            try {
                parser = MultipartStreamParser.forContentType(request().headers().get("Content-Type", ""),
                        new MultipartStreamParser.Listener() {
                            private MessageDigest sha;
                            private long size;
                            private int chunks;

                            @Override
                            public CompletionStage<?> partBegin(MultipartStreamParser.Part part) {
                                onLoop();
                                sha = sha256();
                                size = 0;
                                return null;
                            }

                            @Override
                            public CompletionStage<?> partData(MultipartStreamParser.Part part, byte[] chunk) {
                                onLoop();
                                sha.update(chunk);
                                size += chunk.length;
                                if (chunks++ % 2 == 0) {
                                    return null;
                                }
                                return CompletableFuture.runAsync(() -> { },
                                        CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS));
                            }

                            @Override
                            public CompletionStage<?> partEnd(MultipartStreamParser.Part part) {
                                onLoop();
                                files.add(part.name() + ":" + part.filename() + ":" + part.contentType() + ":" + size
                                        + ":" + HexFormat.of().formatHex(sha.digest()));
                                return null;
                            }
                        }, 1024);
                return null;
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public CompletionStage<?> dataReceived(byte[] chunk) {
            return parser.feed(chunk);
        }

        public CompletionStage<Void> post() {
            return parser.finish().thenRun(() -> {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("fields", parser.arguments());
                out.put("files", files);
                out.put("offLoop", offLoop);
                write(out);
            });
        }
    }

    /** Answers "ok". */
    public static class Hello extends RequestHandler {
        public void get() {
            write("ok");
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeEach
    void start() {
        server = TestServer.start(new Application(List.of(url("/upload", Upload.class), url("/", Hello.class)),
                Settings.empty()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawHttp.Response post(String contentType, byte[] body) {
        try (RawHttp c = server.raw()) {
            c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: " + contentType + "\r\nContent-Length: "
                    + body.length + "\r\n\r\n");
            c.send(body);
            return c.readResponse(false);
        }
    }

    private void assertServing() {
        RawHttp.Response r = server.rawRequest("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(200, r.code, "the server keeps serving");
        assertEquals("ok", r.text());
    }

    @Test
    void filesAndFieldsStreamIntact() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(big);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday \u00e9t\u00e9\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.bin\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(big);
        body.writeBytes(("\r\n--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"b.txt\"\r\n\r\n"
                + "small\r\n--XyZ--\r\n").getBytes(StandardCharsets.UTF_8));
        RawHttp.Response r = post("multipart/form-data; boundary=\"XyZ\"", body.toByteArray());
        assertEquals(200, r.code, r.text());
        String hashBig = HexFormat.of().formatHex(sha256().digest(big));
        String hashSmall = HexFormat.of().formatHex(sha256().digest("small".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("{\"fields\": {\"title\": [\"holiday \\u00e9t\\u00e9\"]}, \"files\": ["
                + "\"photo:a.bin:application/octet-stream:" + big.length + ":" + hashBig + "\", "
                + "\"photo:b.txt:application/unknown:5:" + hashSmall + "\"], \"offLoop\": 0}", r.text());
    }

    private void assertMalformed(String contentType, byte[] body, String message) throws Exception {
        try (LogCapture log = new LogCapture("tornado.general")) {
            RawHttp.Response r = post(contentType, body);
            assertEquals(400, r.code);
            List<String> warnings = log.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .map(e -> e.getFormattedMessage()).toList();
            assertEquals(1, warnings.size(), "logged once: " + warnings);
            assertTrue(warnings.get(0).contains(message), warnings.get(0));
        }
        assertServing();
    }

    @Test
    void missingFinalBoundaryIs400() throws Exception {
        assertMalformed("multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\nabc\r\n".getBytes(StandardCharsets.US_ASCII),
                "no final boundary");
    }

    @Test
    void partWithoutHeadersIs400() throws Exception {
        assertMalformed("multipart/form-data; boundary=b", "--b\r\nno headers\r\n--b--".getBytes(StandardCharsets.US_ASCII),
                "missing headers");
    }

    @Test
    void fieldsOverTheLimitAre400() throws Exception {
        byte[] value = new byte[2000];
        java.util.Arrays.fill(value, (byte) 'v');
        assertMalformed("multipart/form-data; boundary=b", ("--b\r\nContent-Disposition: form-data; name=f\r\n\r\n"
                + new String(value, StandardCharsets.US_ASCII) + "\r\n--b--").getBytes(StandardCharsets.US_ASCII),
                "fields over 1024 bytes");
    }

    @Test
    void contentTypeWithoutBoundaryIs400() throws Exception {
        assertMalformed("multipart/form-data", "--b--".getBytes(StandardCharsets.US_ASCII), "boundary not found");
    }

    @Test
    void aBoundaryOver70CharactersIs400() throws Exception {
        String boundary = "b".repeat(71);
        assertMalformed("multipart/form-data; boundary=" + boundary, ("--" + boundary
                + "\r\nContent-Disposition: form-data; name=f\r\n\r\nv\r\n--" + boundary + "--")
                .getBytes(StandardCharsets.US_ASCII), "boundary longer than 70 characters");
    }
}
