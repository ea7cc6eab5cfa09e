package io.tornadoj.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live interoperability with Python Tornado, in both directions: Java signs, Python verifies; Python signs,
 * Java verifies; with a fixed clock both sign to the same bytes. Fresh random secrets and values each run,
 * with the wall clock and with a fixed one.
 *
 * <p>Runs only when the system property {@code tornado.interop.python} names a Python that imports tornado
 * (otherwise skipped); {@code .ci/interop-signed-cookies.sh} runs it:
 * {@code mvn -pl tornado-web test -Dtest=SignedValueInteropTest -Dtornado.interop.python=/usr/bin/python3}.
 */
@EnabledIfSystemProperty(named = "tornado.interop.python", matches = ".+")
@Timeout(120)
class SignedValueInteropTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcXYZ019 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~é€ключ日本語🔑\t";

    private static String randomText(int max) {
        int n = RANDOM.nextInt(max + 1);
        StringBuilder sb = new StringBuilder();
        int[] cps = ALPHABET.codePoints().toArray();
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(cps[RANDOM.nextInt(cps.length)]);
        }
        return sb.toString();
    }

    private static String randomName() {
        String chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
        StringBuilder sb = new StringBuilder();
        for (int i = 0, n = 1 + RANDOM.nextInt(12); i < n; i++) {
            sb.append(chars.charAt(RANDOM.nextInt(chars.length())));
        }
        return sb.toString();
    }

    private record Item(Object secret, Integer keyVersion, String name, String value, Double clock) {
    }

    @Test
    void signsAndVerifiesLiveInBothDirections() throws Exception {
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            Double clock = i % 2 == 0 ? null : 1_600_000_000 + RANDOM.nextInt(200_000_000) + RANDOM.nextInt(1000) / 1000.0;
            Object secret;
            Integer keyVersion = null;
            if (i % 4 == 3) {
                Map<Integer, String> ring = new HashMap<>();
                for (int k = 0; k < 3; k++) {
                    ring.put(k * 5, randomText(40) + k);
                }
                keyVersion = 5 * RANDOM.nextInt(3);
                secret = ring;
            } else {
                secret = randomText(64);
            }
            items.add(new Item(secret, keyVersion, randomName(), i == 0 ? "" : randomText(200), clock));
        }

        ObjectMapper json = new ObjectMapper();
        ObjectNode request = json.createObjectNode();
        ArrayNode array = request.putArray("items");
        List<String> javaSigned = new ArrayList<>();
        for (Item it : items) {
            String signed = SignedValue.create(it.secret(), it.keyVersion(), it.name(),
                    it.value().getBytes(StandardCharsets.UTF_8),
                    it.clock() == null ? SignedValue.WALL_CLOCK : it::clock);
            javaSigned.add(signed);
            ObjectNode o = array.addObject();
            o.set("secret", json.valueToTree(it.secret()));
            if (it.keyVersion() != null) {
                o.put("key_version", it.keyVersion());
            }
            o.put("name", it.name());
            o.put("value", it.value());
            if (it.clock() != null) {
                o.put("clock", it.clock());
            }
            o.put("java_signed", signed);
        }

        JsonNode reply = json.readTree(runPython(json.writeValueAsBytes(request)));
        assertTrue(reply.get("tornado_version").asText().startsWith("6."), reply.toString());
        JsonNode out = reply.get("items");
        assertEquals(items.size(), out.size());
        for (int i = 0; i < items.size(); i++) {
            Item it = items.get(i);
            JsonNode r = out.get(i);
            String what = "item " + i + " " + it;
            // Java → Python
            assertEquals(it.value(), r.get("python_decoded").isNull() ? null : r.get("python_decoded").asText(), what);
            // Python → Java
            String pythonSigned = r.get("python_signed").asText();
            byte[] decoded = SignedValue.decode(it.secret(), it.name(), pythonSigned, 31,
                    it.clock() == null ? SignedValue.WALL_CLOCK : it::clock);
            assertEquals(it.value(), decoded == null ? null : new String(decoded, StandardCharsets.UTF_8), what);
            // same input, same clock: same bytes
            if (it.clock() != null) {
                assertEquals(pythonSigned, javaSigned.get(i), what);
            }
        }
    }

    private static byte[] runPython(byte[] input) throws Exception {
        String script;
        try (InputStream in = SignedValueInteropTest.class.getResourceAsStream("/tornado_signed_interop.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ProcessBuilder pb = new ProcessBuilder(System.getProperty("tornado.interop.python"), "-c", script);
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        Process p = pb.start();
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        try (OutputStream os = p.getOutputStream()) {
            os.write(input);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python timed out");
        byte[] out = stdout.get(10, TimeUnit.SECONDS);
        String err = new String(stderr.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "python failed: " + err);
        return out;
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
