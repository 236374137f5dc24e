package ndgrad.core.io;

/**
 * JSON text for ndgrad's pages and their server: a string literal that is also safe inside an HTML script element
 * (quotes, backslashes and control characters escaped, and {@code < > &} as unicode escapes, so no text closes the
 * script).
 *
 * <p>Usage: {@code String literal = Json.string("a \"quoted\" <name>");}
 */
public final class Json {
    private Json() {
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String string(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '<' -> b.append("\\u003c");
                case '>' -> b.append("\\u003e");
                case '&' -> b.append("\\u0026");
                default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return b.append('"').toString();
    }
}
