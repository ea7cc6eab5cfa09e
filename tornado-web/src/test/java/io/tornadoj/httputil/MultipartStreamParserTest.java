package io.tornadoj.httputil;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MultipartStreamParser}: the same outcome however a body is cut into chunks (every split offset,
 * every chunk size), flow control through the listener's stages, the field limit, and the errors.
 */
@Timeout(60)
class MultipartStreamParserTest {
    private static byte[] crlf(String s) {
        return s.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** What a parse produced: fields, files as "name=filename:type:content", or the error. */
    private record Outcome(Map<String, List<String>> fields, List<String> files, String error) {
    }

    /** Records file parts; completes every call at once. */
    private static final class Recorder implements MultipartStreamParser.Listener {
        final List<String> files = new ArrayList<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private boolean inPart;

        @Override
        public CompletionStage<?> partBegin(MultipartStreamParser.Part part) {
            assertFalse(inPart);
            inPart = true;
            return null;
        }

        @Override
        public CompletionStage<?> partData(MultipartStreamParser.Part part, byte[] chunk) {
            assertTrue(inPart);
            assertTrue(chunk.length > 0);
            body.writeBytes(chunk);
            return null;
        }

        @Override
        public CompletionStage<?> partEnd(MultipartStreamParser.Part part) {
            inPart = false;
            files.add(part.name() + "=" + part.filename() + ":" + part.contentType() + ":"
                    + body.toString(StandardCharsets.ISO_8859_1));
            body.reset();
            return null;
        }
    }

    /** Feeds the body cut at the given offsets. */
    private static Outcome parse(String boundary, byte[] body, int... cuts) {
        Recorder r = new Recorder();
        try {
            MultipartStreamParser p = new MultipartStreamParser(boundary.getBytes(StandardCharsets.UTF_8), r, 1 << 20);
            int from = 0;
            for (int i = 0; i <= cuts.length; i++) {
                int to = i < cuts.length ? cuts[i] : body.length;
                p.feed(Arrays.copyOfRange(body, from, to)).toCompletableFuture().join();
                from = to;
            }
            p.finish().toCompletableFuture().join();
            return new Outcome(p.arguments(), r.files, null);
        } catch (HTTPInputError e) {
            return new Outcome(Map.of(), List.of(), e.getMessage());
        } catch (CompletionException e) {
            assertInstanceOf(HTTPInputError.class, e.getCause());
            return new Outcome(Map.of(), List.of(), e.getCause().getMessage());
        }
    }

    private static Outcome parseInChunksOf(String boundary, byte[] body, int size) {
        int[] cuts = new int[Math.max(0, (body.length - 1) / size)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (i + 1) * size;
        }
        return parse(boundary, body, cuts);
    }

    static Stream<Object[]> bodies() {
        return Stream.of(
                new Object[] {"1234", crlf("--1234\nContent-Disposition: form-data; name=\"a\"\n\nalpha\n"
                        + "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\nContent-Type: text/plain\n\n"
                        + "Foo\nbar --1234 --123\r\n-1234\n--1234-\n"
                        + "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"e.bin\"\n\n\n"
                        + "--1234\nContent-Disposition: form-data; name=\"a\"\n\n\u00e9t\u00e9\n--1234--\nepilogue --1234\n")},
                new Object[] {"\"ab cd\"", crlf("--ab cd\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\n\nxyz\n--ab cd--")},
                new Object[] {"-", crlf("---\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\n\n-- - --\n-----")},
                new Object[] {"1234", crlf("--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\n--1234--")},
                new Object[] {"1234", crlf("--1234\n--1234\nContent-Disposition: form-data; name=\"a\"\n\n\n--1234--")},
                new Object[] {"1234", crlf("--1234\nContent-Disposition: invalid; name=\"f\"\n\nskipped\n--1234--")},
                // errors
                new Object[] {"1234", crlf("--1234\n\nFoo\n--1234--")},
                new Object[] {"1234", crlf("--1234\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\n\nFoo--1234--")},
                new Object[] {"1234", crlf("--1234\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\n\nX--1234--")},
                new Object[] {"1234", crlf("--1234\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\n\nFoo\n")},
                new Object[] {"1234", crlf("preamble\n--1234\nContent-Disposition: form-data; name=\"a\"\n\nv\n--1234--")},
                new Object[] {"1234", ("--1234\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\u00ff\r\n--1234--")
                        .getBytes(StandardCharsets.ISO_8859_1)});
    }

    @ParameterizedTest
    @MethodSource("bodies")
    void sameOutcomeForEveryCutAndChunkSize(String boundary, byte[] body) {
        Outcome whole = parse(boundary, body);
        for (int i = 0; i <= body.length; i++) {
            assertEquals(whole, parse(boundary, body, i), "cut at " + i);
            for (int j = i; j <= body.length; j += 7) {
                assertEquals(whole, parse(boundary, body, i, j), "cuts at " + i + ", " + j);
            }
        }
        for (int size = 1; size <= body.length; size++) {
            assertEquals(whole, parseInChunksOf(boundary, body, size), "chunks of " + size);
        }
        // one implementation: the whole-body parser agrees
        Map<String, List<String>> args = new LinkedHashMap<>();
        Map<String, List<HTTPFile>> files = new LinkedHashMap<>();
        try {
            HTTPUtil.parseMultipartFormData(boundary.getBytes(StandardCharsets.UTF_8), body, args, files);
            assertEquals(whole.fields(), args);
            List<String> wholeFiles = new ArrayList<>();
            files.forEach((name, list) -> list.forEach(f -> wholeFiles.add(name + "=" + f.filename() + ":" + f.contentType()
                    + ":" + new String(f.body(), StandardCharsets.ISO_8859_1))));
            assertEquals(whole.files().stream().sorted().toList(), wholeFiles.stream().sorted().toList());
        } catch (HTTPInputError e) {
            assertEquals(whole.error(), e.getMessage());
        }
    }

    @Test
    void resultsOfTheFirstBody() {
        Outcome o = parse("1234", (byte[]) bodies().findFirst().orElseThrow()[1]);
        assertEquals(null, o.error());
        assertEquals(Map.of("a", List.of("alpha", "\u00e9t\u00e9")), o.fields());
        assertEquals(List.of("files=ab.txt:text/plain:Foo\r\nbar --1234 --123\r\r\n-1234\r\n--1234-",
                "files=e.bin:application/unknown:"), o.files());
    }

    @Test
    void errorsOfTheMalformedBodies() {
        List<String> errors = bodies().skip(6).map(b -> parse((String) b[0], (byte[]) b[1]).error()).toList();
        assertEquals("multipart/form-data missing headers", errors.get(0));
        assertEquals("Invalid multipart/form-data: part does not end with CRLF", errors.get(1));
        assertEquals("Invalid multipart/form-data: part does not end with CRLF", errors.get(2));
        assertEquals("Invalid multipart/form-data: no final boundary found", errors.get(3));
        // a preamble is parsed as a part, as Tornado does: here one without headers
        assertEquals("multipart/form-data missing headers", errors.get(4));
        assertEquals("Invalid UTF-8 in multipart/form-data value for 'a'", errors.get(5));
    }

    @Test
    void flowControlWaitsForTheListener() throws Exception {
        List<String> calls = new ArrayList<>();
        List<CompletableFuture<Void>> gates = new ArrayList<>();
        MultipartStreamParser p = new MultipartStreamParser("b".getBytes(StandardCharsets.UTF_8), new MultipartStreamParser.Listener() {
            private CompletableFuture<Void> gate(String what) {
                calls.add(what);
                CompletableFuture<Void> g = new CompletableFuture<>();
                gates.add(g);
                return g;
            }

            @Override
            public CompletionStage<?> partBegin(MultipartStreamParser.Part part) {
                return gate("begin " + part.filename());
            }

            @Override
            public CompletionStage<?> partData(MultipartStreamParser.Part part, byte[] chunk) {
                return gate("data " + new String(chunk, StandardCharsets.US_ASCII));
            }

            @Override
            public CompletionStage<?> partEnd(MultipartStreamParser.Part part) {
                return gate("end " + part.filename());
            }
        }, 100);
        CompletableFuture<Void> fed = p.feed(crlf("--b\nContent-Disposition: form-data; name=f; filename=x\n\n"
                + "0123456789\n--b--")).toCompletableFuture();
        assertEquals(List.of("begin x"), calls, "nothing more until the first stage completes");
        gates.get(0).complete(null);
        assertEquals(List.of("begin x", "data 0123456789"), calls);
        assertFalse(fed.isDone());
        gates.get(1).complete(null);
        assertEquals(List.of("begin x", "data 0123456789", "end x"), calls);
        assertFalse(fed.isDone());
        gates.get(2).complete(null);
        assertTrue(fed.isDone());
        p.finish().toCompletableFuture().join();
    }

    @Test
    void aFailingListenerFailsTheParse() throws Exception {
        MultipartStreamParser p = new MultipartStreamParser("b".getBytes(StandardCharsets.UTF_8),
                (part, chunk) -> CompletableFuture.failedFuture(new IllegalStateException("disk full")), 100);
        CompletableFuture<Void> fed = p.feed(crlf("--b\nContent-Disposition: form-data; name=f; filename=x\n\ndata\n--b--"))
                .toCompletableFuture();
        CompletionException e = assertThrows(CompletionException.class, fed::join);
        assertEquals("disk full", e.getCause().getMessage());
        assertTrue(p.finish().toCompletableFuture().isCompletedExceptionally());
    }

    @Test
    void fieldsOverTheLimitAreAnError() throws Exception {
        MultipartStreamParser p = new MultipartStreamParser("b".getBytes(StandardCharsets.UTF_8), (part, chunk) -> null, 5);
        byte[] body = crlf("--b\nContent-Disposition: form-data; name=a\n\n123\n--b\nContent-Disposition: form-data; name=b\n\n456\n--b--");
        CompletionException e = assertThrows(CompletionException.class,
                () -> p.feed(body).toCompletableFuture().join());
        assertEquals("multipart/form-data fields over 5 bytes", e.getCause().getMessage());
    }

    @Test
    void tooManyPartsIsAnError() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            sb.append("--b\nContent-Disposition: form-data; name=a\n\nx\n");
        }
        assertEquals("multipart/form-data has too many parts", parse("b", crlf(sb + "--b--")).error());
    }

    @Test
    void headerBlockOverTheLimitFailsWithoutWaitingForTheEnd() throws Exception {
        MultipartStreamParser p = new MultipartStreamParser("b".getBytes(StandardCharsets.UTF_8), (part, chunk) -> null, 5);
        byte[] start = crlf("--b\nContent-Disposition: form-data; name=a\nX-Long: ");
        assertFalse(p.feed(start).toCompletableFuture().isCompletedExceptionally());
        byte[] filler = new byte[10 * 1024];
        Arrays.fill(filler, (byte) 'x');
        CompletionException e = assertThrows(CompletionException.class,
                () -> p.feed(filler).toCompletableFuture().join());
        assertEquals("multipart/form-data part header too large", e.getCause().getMessage());
    }

    @Test
    void contentTypeWithoutBoundaryIsAnError() {
        assertThrows(HTTPInputError.class,
                () -> MultipartStreamParser.forContentType("multipart/form-data", (part, chunk) -> null, 5));
        assertThrows(HTTPInputError.class,
                () -> MultipartStreamParser.forContentType("text/plain; boundary=x", (part, chunk) -> null, 5));
    }

    @Test
    void aBodyFedOneByteAtATimeIsParsedInLinearTime() {
        String boundary = "b".repeat(70); // the longest allowed
        String pad = "x".repeat(HTTPUtil.MAX_MULTIPART_PART_HEADER_SIZE - 100); // header blocks near the limit
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < HTTPUtil.MAX_MULTIPART_PARTS; i++) {
            sb.append("--").append(boundary).append("\nContent-Disposition: form-data; name=f").append(i)
                    .append(i % 2 == 0 ? "; filename=x" : "").append("\nX-Pad: ").append(pad).append("\n\nvalue ")
                    .append(i).append('\n');
        }
        byte[] body = crlf(sb + "--" + boundary + "--");
        assertTrue(body.length > 1_000_000, "about 1 MB: " + body.length);
        long start = System.nanoTime();
        Outcome o = parseInChunksOf(boundary, body, 1);
        double took = (System.nanoTime() - start) / 1e9;
        assertEquals(null, o.error());
        assertEquals(50, o.fields().size());
        assertEquals(50, o.files().size());
        assertEquals("f0=x:application/unknown:value 0", o.files().get(0));
        // rescanning the pending header block at each byte took 13 s on a 2-core box; linear work, well under 1 s
        assertTrue(took < 5, "took " + took + " s");
    }

    @Test
    void aBoundaryOver70CharactersIsAnError() throws Exception {
        new MultipartStreamParser("b".repeat(70).getBytes(StandardCharsets.UTF_8), (part, chunk) -> null, 5);
        new MultipartStreamParser(("\"" + "b".repeat(70) + "\"").getBytes(StandardCharsets.UTF_8), (part, chunk) -> null, 5);
        HTTPInputError e = assertThrows(HTTPInputError.class, () -> new MultipartStreamParser(
                "b".repeat(71).getBytes(StandardCharsets.UTF_8), (part, chunk) -> null, 5));
        assertEquals("Invalid multipart/form-data: boundary longer than 70 characters", e.getMessage());
    }
}
