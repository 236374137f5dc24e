package ndgrad.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The playground's server through HTTP, as its page uses it: on the loopback address only; a session learns moons;
 * sessions train side by side without touching each other; bad requests get their status and reason, and the
 * server carries on; a closed session is gone; a sample's explain page is the network's as it is.
 */
class PlaygroundTest {
    private static Playground.Server server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        server = Playground.Server.start(0);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    record Reply(int code, String body) {
    }

    static Reply get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + path)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[^,}\\]]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json.substring(0, Math.min(300, json.length())));
        return m.group(1).replace("\"", "");
    }

    @Test
    void itListensOnTheLoopbackAddressAndServesASelfContainedPage() throws Exception {
        assertTrue(server.address().isLoopbackAddress(), server.address().toString());
        Reply page = get("/");
        assertEquals(200, page.code());
        assertTrue(page.body().contains("<canvas id=\"regions\""), "the page");
        assertFalse(page.body().contains("<script src") || page.body().contains("<link")
                || page.body().matches("(?s).*https?://.*"), "nothing is fetched from outside");
    }

    /** Adam 0.03 on moons (4-4 tanh, batch 10): the training loss falls from about 0.69 below 0.3 in 400 steps. */
    @Test
    void aSessionLearnsMoons() throws Exception {
        Reply s = get("/api/session?dataset=moons&hidden=4,4&activation=tanh&optimizer=adam&lr=0.03&seed=3");
        assertEquals(200, s.code(), s.body());
        String id = field(s.body(), "session");
        double first = Double.parseDouble(field(s.body(), "trainLoss"));
        assertTrue(first > 0.5, "an untrained network: " + first);
        assertEquals("[2,4,4,1]", s.body().replaceAll("(?s).*\"layers\":(\\[[^]]*]).*", "$1"));
        double loss = first;
        for (int k = 0; k < 4; k++) {
            Reply r = get("/api/train?session=" + id + "&steps=100");
            assertEquals(200, r.code(), r.body());
            loss = Double.parseDouble(field(r.body(), "trainLoss"));
            assertEquals(String.valueOf(100 * (k + 1)), field(r.body(), "step"));
        }
        assertTrue(loss < 0.3, "after 400 steps: " + loss + " (from " + first + ")");
        Reply r = get("/api/train?session=" + id + "&steps=0");
        int grid = r.body().replaceAll("(?s).*\"grid\":\\[([^]]*)].*", "$1").split(",").length;
        assertEquals(Playground.Session.GRID * Playground.Session.GRID, grid, "the decision regions");
        assertEquals(3, r.body().split("\"gw\":\\[", -1).length - 1, "three layers' gradients: the last step's");
    }

    /** Two sessions trained at once from two threads: each keeps its own step count and its own network. */
    @Test
    void sessionsTrainSideBySide() throws Exception {
        String a = field(get("/api/session?dataset=xor&seed=1").body(), "session");
        String b = field(get("/api/session?dataset=spiral&hidden=8,8&seed=1").body(), "session");
        assertNotEquals(a, b);
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            List<Future<Reply>> done = new ArrayList<>();
            for (String id : new String[] {a, b}) {
                done.add(two.submit(() -> {
                    Reply last = null;
                    for (int k = 0; k < 5; k++) {
                        last = get("/api/train?session=" + id + "&steps=" + (id.equals(a) ? 10 : 20));
                    }
                    return last;
                }));
            }
            assertEquals("50", field(done.get(0).get().body(), "step"));
            assertEquals("100", field(done.get(1).get().body(), "step"));
        } finally {
            two.shutdown();
        }
        assertEquals("50", field(get("/api/train?session=" + a + "&steps=0").body(), "step"), "b's steps are b's");
    }

    @Test
    void badRequestsGetTheirReasonAndTheServerCarriesOn() throws Exception {
        String id = field(get("/api/session").body(), "session");
        Object[][] cases = {
            {"/api/session?dataset=nope", 400, "dataset: expected one of [xor, circles, moons, spiral, blobs]"},
            {"/api/session?hidden=100", 400, "hidden: expected up to 4 layer widths from 1 to 8"},
            {"/api/session?hidden=a,b", 400, "hidden: expected"},
            {"/api/session?lr=abc", 400, "lr: expected a number from 1.0E-6 to 10.0, got 'abc'"},
            {"/api/session?lr=NaN", 400, "lr: expected a number"},
            {"/api/session?batch=0", 400, "batch: expected a whole number from 1 to 500, got '0'"},
            {"/api/session?activation=%3Cscript%3E", 400, "activation: expected one of"},
            {"/api/train?session=" + id + "&steps=100000", 400, "steps: expected a whole number from 0 to 500"},
            {"/api/train?session=nobody", 404, "no session 'nobody'"},
            {"/api/train", 404, "no session ''"},
            {"/api/explain?session=" + id + "&sample=100000", 400, "sample: expected 0 to 99"},
            {"/api/explain?session=" + id + "&sample=-1", 400, "sample: expected a whole number"},
            {"/nope", 404, "no such page: /nope"},
        };
        for (Object[] c : cases) {
            Reply r = get((String) c[0]);
            assertEquals(c[1], r.code(), c[0] + ": " + r.body());
            assertTrue(r.body().startsWith("{\"error\":") && r.body().contains((String) c[2]), c[0] + ": " + r.body());
        }
        assertEquals(200, get("/api/train?session=" + id + "&steps=1").code(), "the server and the session carry on");
        assertEquals(200, get("/").code());
    }

    @Test
    void aClosedSessionIsGone() throws Exception {
        String id = field(get("/api/session").body(), "session");
        int open = server.sessions();
        assertEquals(200, get("/api/close?session=" + id).code());
        assertEquals(open - 1, server.sessions());
        assertEquals(404, get("/api/train?session=" + id).code());
    }

    /**
     * The explain page of one training sample: neuron by neuron through the network as trained so far, its loss
     * softplus(-y·out) with y = ±1 for the class; its first view has a value per weight of the 2-4-4-1 network.
     */
    @Test
    void aSamplesBackwardPassIsTheLiveNetworks() throws Exception {
        String id = field(get("/api/session?dataset=circles&seed=2").body(), "session");
        get("/api/train?session=" + id + "&steps=30");
        Reply page = get("/api/explain?session=" + id + "&sample=5");
        assertEquals(200, page.code(), page.body());
        assertTrue(page.body().contains("at step 30: loss softplus(-y·out)"), page.body().substring(0, 400));
        assertTrue(page.body().contains("data-label=\"w3[0,3]\"") && page.body().contains("data-label=\"h2[3]\""),
                "neurons and weights of the 2-4-4-1 network");
        assertTrue(page.body().contains("<button class=\"view-button\" data-view=\"1\">tensors</button>"));
        assertTrue(page.body().contains("\"name\":\"softplus\""), "the loss");
    }
}
