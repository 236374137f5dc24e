package ndgrad.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import ndgrad.autograd.Autograd;
import ndgrad.autograd.Tensor;
import ndgrad.core.DTypes;
import ndgrad.core.Rng;
import ndgrad.core.io.Datasets;
import ndgrad.core.io.Json;
import ndgrad.nn.Linear;
import ndgrad.optim.Adam;
import ndgrad.optim.Optimizer;
import ndgrad.optim.Sgd;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A neural network learning in the browser, as TensorFlow Playground shows one, with its backward pass too: a page
 * served on 127.0.0.1 only (the JDK's own HTTP server; nothing is fetched from outside) where one chooses a data set
 * (xor, circles, moons, spiral, Gaussian blobs), the hidden layers, activation, optimizer, learning rate, batch size,
 * L2 regularisation and noise; starts, pauses and steps training; and watches the decision regions, the train and
 * test loss, each neuron's output as a small heat map, and each weight's value (or gradient) as an edge's width and
 * colour. Clicking a training point opens the {@code explain} page of that sample's forward and backward pass through
 * the network as it is at that step, neuron by neuron.
 *
 * <p>Each browser tab is a session of its own. Training runs only while its tab asks for steps (the page asks for
 * a few at a time), so closing a tab stops it; the page also says when it closes, and a session idle for
 * {@link Server#IDLE_MS} is dropped. A bad request gets an error response (400 with the reason, 404 for an unknown
 * session or path) and the server carries on.
 *
 * <p>Usage: {@code ndgrad playground --port 8080}, then open http://127.0.0.1:8080
 */
@Command(name = "playground", mixinStandardHelpOptions = true,
        description = "A network learning in your browser: data sets, layers, optimizer; decision regions, losses, "
                + "neurons and weights live; any sample's backward pass. Served on 127.0.0.1 only.")
public final class Playground implements Callable<Integer> {
    @Option(names = "--port", description = "the port on 127.0.0.1 (default 8080; 0 picks a free one)")
    int port = 8080;

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port: expected 0 to 65535, got " + port);
        }
        try (Server server = Server.start(port)) {
            Ndgrad.log().info("playground: open http://127.0.0.1:{}/ in a browser (Ctrl-C stops it)", server.port());
            server.await();
        }
        return 0;
    }

    /** The HTTP server: the page, and the API that sessions train through. */
    public static final class Server implements AutoCloseable {
        /** A session that asked for nothing for this long is dropped. */
        static final long IDLE_MS = 5 * 60_000;
        /** At most this many sessions at once. */
        static final int MAX_SESSIONS = 32;
        private final HttpServer http;
        private final ExecutorService pool;
        private final Map<String, Session> sessions = new ConcurrentHashMap<>();
        private final AtomicLong ids = new AtomicLong();
        private final Object stopped = new Object();

        private Server(HttpServer http, ExecutorService pool) {
            this.http = http;
            this.pool = pool;
        }

        /** Starts serving on 127.0.0.1:{@code port} (0: a free port, see {@link #port}). */
        public static Server start(int port) throws IOException {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "ndgrad-playground");
                t.setDaemon(true);
                return t;
            });
            Server s = new Server(http, pool);
            http.createContext("/", s::handle);
            http.setExecutor(pool);
            http.start();
            return s;
        }

        /** The port it listens on. */
        public int port() {
            return http.getAddress().getPort();
        }

        /** The address it listens on (the loopback address). */
        public InetAddress address() {
            return http.getAddress().getAddress();
        }

        /** The sessions open now. */
        public int sessions() {
            return sessions.size();
        }

        /** Blocks until {@link #close}. */
        void await() throws InterruptedException {
            synchronized (stopped) {
                stopped.wait();
            }
        }

        @Override
        public void close() {
            http.stop(0);
            pool.shutdownNow();
            synchronized (stopped) {
                stopped.notifyAll();
            }
        }

        private void handle(HttpExchange ex) throws IOException {
            int code = 200;
            String type = "application/json";
            String body;
            try {
                long now = System.currentTimeMillis();
                sessions.values().removeIf(s -> now - s.lastSeen > IDLE_MS);
                Map<String, String> q = query(ex.getRequestURI().getRawQuery());
                String path = ex.getRequestURI().getPath();
                switch (path) {
                    case "/", "/index.html" -> {
                        type = "text/html; charset=utf-8";
                        body = page();
                    }
                    case "/api/session" -> {
                        if (sessions.size() >= MAX_SESSIONS) {
                            throw new RequestException(503, "too many sessions (" + MAX_SESSIONS + "); close a tab");
                        }
                        String id = Long.toString(ids.incrementAndGet(), 36) + Long.toString(now % 1_000_000, 36);
                        Session s = new Session(Config.of(q));
                        sessions.put(id, s);
                        body = "{\"session\":\"" + id + "\"," + s.describe() + "," + s.train(0).substring(1);
                    }
                    case "/api/train" -> body = session(q).train(Config.integer(q, "steps", 1, 0, 500));
                    case "/api/explain" -> {
                        type = "text/html; charset=utf-8";
                        body = session(q).explain(Config.integer(q, "sample", 0, 0, Integer.MAX_VALUE));
                    }
                    case "/api/close" -> {
                        sessions.remove(q.getOrDefault("session", ""));
                        body = "{}";
                    }
                    default -> throw new RequestException(404, "no such page: " + path);
                }
            } catch (RequestException e) {
                code = e.code;
                body = error(e.getMessage());
                type = "application/json";
            } catch (IllegalArgumentException e) {
                code = 400;
                body = error(e.getMessage());
                type = "application/json";
            } catch (RuntimeException e) {
                code = 500;
                body = error(e.toString());
                type = "application/json";
                Ndgrad.log().warn("playground: {} failed", ex.getRequestURI(), e);
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(code, bytes.length);
            try (var out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }

        private Session session(Map<String, String> q) {
            Session s = sessions.get(q.getOrDefault("session", ""));
            if (s == null) {
                throw new RequestException(404, "no session '" + q.getOrDefault("session", "") + "' (it was closed "
                        + "or idle for " + IDLE_MS / 60_000 + " minutes): reload the page");
            }
            s.lastSeen = System.currentTimeMillis();
            return s;
        }

        private static String error(String message) {
            return "{\"error\":" + Json.string(message) + "}";
        }
    }

    /** A request the server refuses, with its HTTP status. */
    private static final class RequestException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        RequestException(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    /** The page, a resource of this module (self-contained: its script and style are inline). */
    static String page() {
        try (InputStream in = Playground.class.getResourceAsStream("playground.html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A session's choices, each checked at the boundary. */
    record Config(String dataset, int[] hidden, String activation, String optimizer, double lr, int batch,
            double l2, double noise, int points, long seed) {
        static final List<String> DATASETS = List.of("xor", "circles", "moons", "spiral", "blobs");

        static Config of(Map<String, String> q) {
            String dataset = q.getOrDefault("dataset", "moons");
            if (!DATASETS.contains(dataset)) {
                throw new IllegalArgumentException("dataset: expected one of " + DATASETS + ", got '" + dataset + "'");
            }
            String h = q.getOrDefault("hidden", "4,4").strip();
            int[] hidden;
            try {
                hidden = h.isEmpty() ? new int[0] : java.util.Arrays.stream(h.split(",")).map(String::strip)
                        .mapToInt(Integer::parseInt).toArray();
            } catch (NumberFormatException e) {
                hidden = new int[] {-1};
            }
            if (hidden.length > 4 || java.util.Arrays.stream(hidden).anyMatch(w -> w < 1 || w > 8)) {
                throw new IllegalArgumentException("hidden: expected up to 4 layer widths from 1 to 8 joined by ',', "
                        + "got '" + h + "'");
            }
            String activation = q.getOrDefault("activation", "tanh");
            if (!Explain.ACTIVATIONS.containsKey(activation)) {
                throw new IllegalArgumentException("activation: expected one of " + Explain.ACTIVATIONS.keySet()
                        + ", got '" + activation + "'");
            }
            String optimizer = q.getOrDefault("optimizer", "adam");
            if (!List.of("sgd", "momentum", "adam").contains(optimizer)) {
                throw new IllegalArgumentException("optimizer: expected sgd, momentum or adam, got '" + optimizer
                        + "'");
            }
            return new Config(dataset, hidden, activation, optimizer, real(q, "lr", 0.03, 1e-6, 10),
                    integer(q, "batch", 10, 1, 500), real(q, "l2", 0, 0, 1), real(q, "noise", 0.1, 0, 1),
                    integer(q, "points", 200, 20, 1000), integer(q, "seed", 1, 0, Integer.MAX_VALUE));
        }

        static int integer(Map<String, String> q, String name, int fallback, int min, int max) {
            return (int) bounded(q, name, fallback, min, max, true);
        }

        static double real(Map<String, String> q, String name, double fallback, double min, double max) {
            return bounded(q, name, fallback, min, max, false);
        }

        /** Parameter {@code name} as a number in [min, max] (a whole one when {@code whole}), else refused. */
        private static double bounded(Map<String, String> q, String name, double fallback, double min, double max,
                boolean whole) {
            String v = q.get(name);
            try {
                double d = v == null ? fallback : whole ? Integer.parseInt(v.strip()) : Double.parseDouble(v.strip());
                if (d >= min && d <= max) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // refused below
            }
            throw new IllegalArgumentException(name + ": expected " + (whole ? "a whole number from " + (long) min
                    + " to " + (long) max : "a number from " + min + " to " + max) + ", got '" + v + "'");
        }
    }

    /**
     * One tab's network, data and optimizer. Binary classification with one output z: p = σ(z), the loss
     * softplus(-s·z) with s = ±1 for the classes (binary cross-entropy with logits), averaged over a batch.
     */
    static final class Session {
        /** The decision regions' grid, and each neuron's heat map's, per side. */
        static final int GRID = 50;
        static final int MAP = 20;
        final Config config;
        final List<Linear> layers = new ArrayList<>();
        final double[][] train;
        final double[][] test;
        final double[] bounds;
        private final Optimizer<?> opt;
        private final Rng rng;
        private final List<double[]> history = new ArrayList<>();
        private int step;
        private int[] order = new int[0];
        private int next;
        volatile long lastSeen = System.currentTimeMillis();

        Session(Config c) {
            this.config = c;
            this.rng = new Rng(c.seed());
            double[][] all = data(c, rng);
            int half = all.length / 2;
            train = java.util.Arrays.copyOfRange(all, 0, half);
            test = java.util.Arrays.copyOfRange(all, half, all.length);
            bounds = bounds(all);
            try (var float64 = DTypes.use(DataType.DOUBLE)) {
                int in = 2;
                for (int w : c.hidden()) {
                    layers.add(new Linear(in, w, rng));
                    in = w;
                }
                layers.add(new Linear(in, 1, rng));
                List<Tensor> params = new ArrayList<>();
                layers.forEach(l -> params.addAll(l.parameters()));
                opt = switch (c.optimizer()) {
                    case "sgd" -> new Sgd(params, Sgd.options().lr(c.lr()).weightDecay(c.l2()));
                    case "momentum" -> new Sgd(params, Sgd.options().lr(c.lr()).momentum(0.9).weightDecay(c.l2()));
                    default -> new Adam(params, Adam.options().lr(c.lr()).weightDecay(c.l2()));
                };
            }
        }

        /** The network's output z for the rows of x (n, 2); hidden activations into {@code seen} when not null. */
        private Tensor forward(Tensor x, List<Tensor> seen) {
            Tensor h = x;
            for (int l = 0; l < layers.size(); l++) {
                h = layers.get(l).forward(h);
                if (l + 1 < layers.size()) {
                    h = Explain.ACTIVATIONS.get(config.activation()).apply(h);
                    if (seen != null) {
                        seen.add(h);
                    }
                }
            }
            return h;
        }

        /** The mean loss softplus(-s·z) over the rows. */
        private Tensor loss(double[][] rows) {
            Tensor z = forward(inputs(rows), null);
            return z.mul(signs(rows)).neg().softplus().mean();
        }

        /** Runs {@code steps} training steps, then returns the state as JSON. */
        synchronized String train(int steps) {
            try (var float64 = DTypes.use(DataType.DOUBLE)) {
                for (int k = 0; k < steps; k++) {
                    Tensor loss = loss(batch());
                    opt.zeroGrad();
                    loss.backward();
                    opt.step();
                    step++;
                }
                double trainLoss;
                double testLoss;
                try (Autograd.GradMode off = Autograd.noGrad()) {
                    trainLoss = loss(train).item();
                    testLoss = loss(test).item();
                }
                if (history.isEmpty() || history.get(history.size() - 1)[0] < step) {
                    history.add(new double[] {step, trainLoss, testLoss});
                }
                return state();
            }
        }

        /** The next batch: the training rows in a new random order each pass. */
        private double[][] batch() {
            double[][] b = new double[Math.min(config.batch(), train.length)][];
            for (int i = 0; i < b.length; i++) {
                if (next >= order.length) {
                    order = rng.permutation(train.length);
                    next = 0;
                }
                b[i] = train[order[next++]];
            }
            return b;
        }

        /** The step, the loss history, the decision regions, each neuron's heat map, and the weights and gradients. */
        private String state() {
            StringBuilder s = new StringBuilder("{\"step\":").append(step).append(",\"history\":[");
            int every = Math.max(1, history.size() / 400);
            for (int i = 0; i < history.size(); i += every) {
                double[] h = history.get(i);
                s.append(i == 0 ? "" : ",").append('[').append((int) h[0]).append(',').append(num(h[1])).append(',')
                        .append(num(h[2])).append(']');
            }
            double[] last = history.get(history.size() - 1);
            s.append("],\"trainLoss\":").append(num(last[1])).append(",\"testLoss\":").append(num(last[2]));
            try (Autograd.GradMode off = Autograd.noGrad()) {
                List<Tensor> hidden = new ArrayList<>();
                double[] p = forward(grid(GRID), null).sigmoid().toDoubleArray();
                s.append(",\"grid\":").append(array(p));
                forward(grid(MAP), hidden);
                s.append(",\"neurons\":[");
                for (int l = 0; l < hidden.size(); l++) {
                    double[] v = hidden.get(l).toDoubleArray();
                    int width = (int) hidden.get(l).size(1);
                    s.append(l == 0 ? "" : ",").append('[');
                    for (int j = 0; j < width; j++) {
                        double[] map = new double[MAP * MAP];
                        for (int k = 0; k < map.length; k++) {
                            map[k] = v[k * width + j];
                        }
                        s.append(j == 0 ? "" : ",").append(array(map));
                    }
                    s.append(']');
                }
            }
            s.append("],\"weights\":[");
            for (int l = 0; l < layers.size(); l++) {
                Linear layer = layers.get(l);
                s.append(l == 0 ? "" : ",").append("{\"w\":").append(array(layer.weight().toDoubleArray()))
                        .append(",\"b\":").append(array(layer.bias().toDoubleArray())).append(",\"gw\":")
                        .append(layer.weight().hasGrad() ? array(layer.weight().grad().toDoubleArray()) : "null")
                        .append(",\"gb\":").append(layer.bias().hasGrad() ? array(layer.bias().grad()
                        .toDoubleArray()) : "null").append('}');
            }
            return s.append("]}").toString();
        }

        /** The data and the layout of the network, sent once. */
        String describe() {
            StringBuilder s = new StringBuilder("\"bounds\":").append(array(bounds)).append(",\"layers\":[2");
            for (int w : config.hidden()) {
                s.append(',').append(w);
            }
            s.append(",1],\"activation\":").append(Json.string(config.activation())).append(",\"train\":")
                    .append(rows(train)).append(",\"test\":").append(rows(test));
            return s.toString();
        }

        /**
         * The explain page of training sample {@code i}'s forward and backward pass through the network as it is
         * now: neuron by neuron, and as tensors.
         */
        synchronized String explain(int i) {
            if (i >= train.length) {
                throw new IllegalArgumentException("sample: expected 0 to " + (train.length - 1) + ", got " + i);
            }
            Map<String, Tensor> weights = new java.util.LinkedHashMap<>();
            for (int l = 0; l < layers.size(); l++) {
                weights.put("W" + (l + 1), layers.get(l).weight());
                weights.put("b" + (l + 1), layers.get(l).bias());
            }
            double s = train[i][2] > 0.5 ? 1 : -1;
            String title = String.format(Locale.ROOT, "Sample %d (%.3f, %.3f), class %d, at step %d: loss "
                    + "softplus(-y·out), y = %+.0f", i, train[i][0], train[i][1], (int) train[i][2], step, s);
            return Explain.network(title, weights, config.activation(), new double[] {train[i][0], train[i][1]}, s,
                    (out, y, name) -> {
                        Tensor margin = name.of("mul", out.mul(y), "out × y");
                        Tensor neg = name.of("neg", margin.neg(), "-(out × y)");
                        return name.of("loss", neg.softplus(), "softplus(-(out × y))");
                    }).html();
        }

        /** The points of an n × n grid over the data's bounds, row by row from the top. */
        private Tensor grid(int n) {
            double[][] rows = new double[n * n][];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    rows[r * n + c] = new double[] {bounds[0] + (bounds[1] - bounds[0]) * (c + 0.5) / n,
                        bounds[3] - (bounds[3] - bounds[2]) * (r + 0.5) / n};
                }
            }
            return inputs(rows);
        }

        private static Tensor inputs(double[][] rows) {
            double[] x = new double[2 * rows.length];
            for (int i = 0; i < rows.length; i++) {
                x[2 * i] = rows[i][0];
                x[2 * i + 1] = rows[i][1];
            }
            return Tensor.of(x, rows.length, 2);
        }

        private static Tensor signs(double[][] rows) {
            double[] s = new double[rows.length];
            for (int i = 0; i < rows.length; i++) {
                s[i] = rows[i][2] > 0.5 ? 1 : -1;
            }
            return Tensor.of(s, rows.length, 1);
        }
    }

    /**
     * The data set's points (x, y, class 0 or 1), shuffled: xor, moons and a two-armed spiral from {@link Datasets},
     * circles (a disc inside a ring) and two Gaussian blobs here; every point then moved by Gaussian noise of std
     * {@code noise} (moons takes it as its own noise).
     */
    static double[][] data(Config c, Rng rng) {
        int n = c.points();
        double[][] p = new double[n][];
        switch (c.dataset()) {
            case "xor", "moons", "spiral" -> {
                Datasets.Labeled d = c.dataset().equals("xor") ? Datasets.xor(n, rng) : c.dataset().equals("moons")
                        ? Datasets.moons(n, c.noise(), rng) : Datasets.spiral(n / 2, 2, rng);
                double[] x = Tensor.of(d.x()).toDoubleArray();
                double noise = c.dataset().equals("moons") ? 0 : c.noise();
                p = new double[d.labels().length][];
                for (int i = 0; i < p.length; i++) {
                    p[i] = new double[] {x[2 * i] + noise * rng.nextGaussian(), x[2 * i + 1] + noise
                        * rng.nextGaussian(), d.labels()[i]};
                }
            }
            case "circles" -> {
                for (int i = 0; i < n; i++) {
                    boolean inner = i % 2 == 0;
                    double r = inner ? 0.5 * rng.nextDouble() : 0.7 + 0.3 * rng.nextDouble();
                    double t = 2 * Math.PI * rng.nextDouble();
                    p[i] = new double[] {r * Math.cos(t) + c.noise() * rng.nextGaussian(), r * Math.sin(t)
                        + c.noise() * rng.nextGaussian(), inner ? 1 : 0};
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    int k = i % 2;
                    double centre = k == 0 ? -0.6 : 0.6;
                    double spread = 0.25 + c.noise();
                    p[i] = new double[] {centre + spread * rng.nextGaussian(), centre + spread * rng.nextGaussian(),
                        k};
                }
            }
        }
        int[] order = rng.permutation(p.length);
        double[][] shuffled = new double[p.length][];
        for (int i = 0; i < p.length; i++) {
            shuffled[i] = p[order[i]];
        }
        return shuffled;
    }

    /** The points' box with a tenth of margin: {xmin, xmax, ymin, ymax}. */
    static double[] bounds(double[][] p) {
        double[] b = {Double.MAX_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE};
        for (double[] q : p) {
            b[0] = Math.min(b[0], q[0]);
            b[1] = Math.max(b[1], q[0]);
            b[2] = Math.min(b[2], q[1]);
            b[3] = Math.max(b[3], q[1]);
        }
        double mx = 0.1 * (b[1] - b[0]) + 1e-3;
        double my = 0.1 * (b[3] - b[2]) + 1e-3;
        return new double[] {b[0] - mx, b[1] + mx, b[2] - my, b[3] + my};
    }

    /** The query's parameters, decoded (a repeated name keeps its last value). */
    static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            q.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return q;
    }

    private static String rows(double[][] p) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < p.length; i++) {
            s.append(i == 0 ? "" : ",").append('[').append(num(p[i][0])).append(',').append(num(p[i][1])).append(',')
                    .append((int) p[i][2]).append(']');
        }
        return s.append(']').toString();
    }

    private static String array(double[] v) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) {
            s.append(i == 0 ? "" : ",").append(num(v[i]));
        }
        return s.append(']').toString();
    }

    /** A number in JSON, to 5 significant digits (null when not finite). */
    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.5g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2")
                .replaceAll("\\.(e|$)", "$1") : "null";
    }
}
