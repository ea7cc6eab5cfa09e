package io.tornadoj.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads the text lines of HTTP/1.x heads and chunk sizes off a blocking socket stream. */
public final class RawLines {
    private RawLines() {
    }

    /**
     * Reads one line ended by LF or CRLF. Blocks the calling thread.
     *
     * @param in the stream (buffered: it is read a byte at a time)
     * @return the line without its ending, as ISO-8859-1; what came before EOF when it ends a line;
     *         null at EOF before any byte
     * @throws IOException if the read fails
     */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] b = line.toByteArray();
                int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(c);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
    }
}
