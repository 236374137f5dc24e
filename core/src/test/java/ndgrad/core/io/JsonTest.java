package ndgrad.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void quotesBackslashesControlsAndWhatCouldCloseAScriptAreEscaped() {
        assertEquals("\"plain, ünïcode ∂\"", Json.string("plain, ünïcode ∂"));
        assertEquals("\"a \\\"b\\\" \\\\ c\"", Json.string("a \"b\" \\ c"));
        assertEquals("\"\\u003c/script\\u003e \\u0026amp;\"", Json.string("</script> &amp;"));
        assertEquals("\"line\\u000anext\\u0009tab\"", Json.string("line\nnext\ttab"));
        assertEquals("\"\"", Json.string(""));
    }
}
