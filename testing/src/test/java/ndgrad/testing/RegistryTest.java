package ndgrad.testing;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** The battery of {@link OpTests} for every entry of the {@link Registry}: ndgrad's ops proven one by one. */
class RegistryTest {
    @TestFactory
    Stream<DynamicNode> everyOp() {
        return Registry.all().stream().flatMap(e -> OpTests.of(e.spec()));
    }
}
