package ndgrad.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The conversion between an optimizer's options record and named numbers, shared by every optimizer. */
class OptionsTest {
    /** A user's options, private to their code, with a double, an int and a boolean. */
    private record Custom(double lr, int warmup, boolean flag) implements Optimizer.Options<Custom> {
        Custom {
            if (warmup < 0) {
                throw new IllegalArgumentException("Custom: invalid warmup: " + warmup);
            }
        }
    }

    /** Options that are not a record. */
    private static final class NotRecord implements Optimizer.Options<NotRecord> {
        @Override
        public double lr() {
            return 1;
        }
    }

    @Test
    void aRecordsComponentsAreItsNamedNumbers() {
        Custom c = new Custom(0.5, 3, true);
        assertEquals(Map.of("lr", 0.5, "warmup", 3.0, "flag", 1.0), c.asMap());
        assertEquals(java.util.List.of("lr", "warmup", "flag"), java.util.List.copyOf(c.asMap().keySet()));
        assertEquals(c, c.fromMap(Map.of("lr", 0.5, "warmup", 3.0, "flag", 1.0)));
        assertEquals(new Custom(0.5, 7, false), c.fromMap(Map.of("lr", 0.5, "warmup", 7.0, "flag", 0.0)));
        assertEquals(new Custom(0.1, 3, true), c.withLr(0.1));
        assertEquals(Map.of("lr", 1e-3, "momentum", 0.9, "dampening", 0.0, "weightDecay", 0.0, "nesterov", 1.0),
                Sgd.options().momentum(0.9).nesterov(true).asMap());
        assertEquals(Adam.options().amsgrad(true).lr(0.25), Adam.options().amsgrad(true).withLr(0.25));
    }

    @Test
    void namesAndValuesAreCheckedAsTheConstructorChecksThem() {
        Custom c = new Custom(0.5, 3, true);
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> c.fromMap(Map.of("lr", 0.5, "flag", 1.0)));
        assertEquals("no option 'warmup' (was the state saved by another kind of optimizer?)", missing.getMessage());
        Map<String, Double> bad = new LinkedHashMap<>(c.asMap());
        bad.put("warmup", -1.0);
        assertEquals("Custom: invalid warmup: -1", assertThrows(IllegalArgumentException.class,
                () -> c.fromMap(bad)).getMessage());
        Map<String, Double> sgd = new LinkedHashMap<>(Sgd.options().asMap());
        sgd.put("momentum", -1.0);
        assertEquals("Sgd: invalid momentum value: -1.0", assertThrows(IllegalArgumentException.class,
                () -> Sgd.options().fromMap(sgd)).getMessage());
        IllegalStateException notRecord = assertThrows(IllegalStateException.class, () -> new NotRecord().asMap());
        assertEquals(NotRecord.class.getName() + ": optimizer options must be a record", notRecord.getMessage());
        assertThrows(IllegalStateException.class, () -> new NotRecord().fromMap(Map.of("lr", 1.0)));
    }

    /** A nested record's options are saved under its name: Newton's line search. */
    @Test
    void nestedOptionsAreNamedWithTheirRecordsName() {
        Newton.Options o = Newton.options().damping(0.5).conjugateGradient(7).withLr(0.25);
        Map<String, Double> m = o.asMap();
        assertEquals(java.util.List.of("damping", "conjugateGradient", "cgIterations", "cgTolerance",
                "lineSearch.initialStep", "lineSearch.c", "lineSearch.shrink", "lineSearch.maxShrinks"),
                java.util.List.copyOf(m.keySet()));
        assertEquals(java.util.List.of(0.5, 1.0, 7.0, 1e-10, 0.25, 1e-4, 0.5, 50.0), java.util.List.copyOf(m.values()));
        assertEquals(o, Newton.options().fromMap(m));
        assertEquals(0.25, o.lr());
        m.remove("lineSearch.shrink");
        assertEquals("no option 'lineSearch.shrink' (was the state saved by another kind of optimizer?)",
                assertThrows(IllegalArgumentException.class, () -> Newton.options().fromMap(m)).getMessage());
    }
}
