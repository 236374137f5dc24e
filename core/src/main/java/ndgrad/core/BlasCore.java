package ndgrad.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Which of OpenBLAS's kernel sets the process uses. The OpenBLAS that ND4J 1.0.0-M2.1 bundles (0.3.19) reads
 * {@code OPENBLAS_CORETYPE} when it loads, and otherwise picks by CPU model; it does not know recent AMD CPUs and
 * falls back to its oldest x86-64 kernels ("Barcelona", SSE2), although they run AVX-512. On this project's
 * machines (AMD EPYC with AVX-512) a 32x784 by 784x128 float32 product took 152 µs with those kernels, 81 with
 * the AVX2 ("Haswell") ones and 52 with the AVX-512 ("SkylakeX") ones (measured 2026-11-28).
 *
 * <p>So before OpenBLAS loads, when nobody chose (no {@code OPENBLAS_CORETYPE} in the environment) and Linux
 * reports AVX-512 (F, CD, BW, DQ and VL: what OpenBLAS's SkylakeX kernels use; the kernel lists them only when the
 * OS saves their registers), ndgrad adds {@code OPENBLAS_CORETYPE=SKYLAKEX} to the process's own C environment
 * (a new {@code environ} array, which is all {@code setenv} does). A variable set by the user, or the system
 * property {@code ndgrad.blasCore} / environment variable {@code NDGRAD_BLAS_CORE} ({@code auto}, {@code none}, or
 * a core name such as {@code HASWELL}), decides instead. It has no effect once something loaded OpenBLAS first.
 */
final class BlasCore {
    /** The variable OpenBLAS reads. */
    static final String VARIABLE = "OPENBLAS_CORETYPE";
    private static final Set<String> AVX512 = Set.of("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl");
    /** OpenBLAS's x86-64 kernel sets, as its {@code gotoblas_NAME} tables are named. */
    private static final List<String> CORES = List.of("PRESCOTT", "CORE2", "PENRYN", "DUNNINGTON", "NEHALEM",
            "ATOM", "OPTERON", "OPTERON_SSE3", "BARCELONA", "BOBCAT", "SANDYBRIDGE", "BULLDOZER", "PILEDRIVER",
            "HASWELL", "STEAMROLLER", "EXCAVATOR", "ZEN", "SKYLAKEX", "COOPERLAKE", "SAPPHIRERAPIDS", "NANO");

    private BlasCore() {
    }

    /**
     * The core to request: the {@code ndgrad.blasCore} setting when it names one, else none when the user set
     * {@link #VARIABLE}, else SKYLAKEX on Linux x86-64 with AVX-512. Null: leave OpenBLAS to decide.
     */
    static String wanted(String setting, String userVariable, String os, String arch, String cpuFlags) {
        String s = setting == null || setting.isBlank() ? "AUTO" : setting.trim().toUpperCase(Locale.ROOT);
        if (s.equals("NONE")) {
            return null;
        }
        if (!s.equals("AUTO")) {
            if (!CORES.contains(s)) {
                throw new IllegalArgumentException("ndgrad.blasCore: expected auto, none or one of " + CORES
                        + ", got '" + setting + "'");
            }
            return s;
        }
        boolean avx512 = os.toLowerCase(Locale.ROOT).contains("linux") && (arch.equals("amd64")
                || arch.equals("x86_64")) && Arrays.asList(cpuFlags.split("\\s+")).containsAll(AVX512);
        return userVariable == null && avx512 ? "SKYLAKEX" : null;
    }

    /** Requests this process's core before OpenBLAS loads (see the class comment). Returns what it requested. */
    static String choose() {
        String setting = System.getProperty("ndgrad.blasCore", System.getenv("NDGRAD_BLAS_CORE"));
        String core = wanted(setting, System.getenv(VARIABLE), System.getProperty("os.name"),
                System.getProperty("os.arch"), cpuFlags());
        if (core != null) {
            setenv(VARIABLE, core);
        }
        return core;
    }

    /**
     * The kernel set OpenBLAS chose, as named by its tables ({@code HASWELL}, {@code SKYLAKEX}, ...), or
     * {@code "unknown"} when its symbols cannot be read (another platform).
     */
    static String current() {
        try {
            Pointer chosen = Loader.addressof("gotoblas");
            if (chosen == null) {
                return "unknown";
            }
            long table = new PointerPointer<>(chosen).get(0).address();
            for (String c : CORES) {
                Pointer p = Loader.addressof("gotoblas_" + c);
                if (p != null && p.address() == table) {
                    return c;
                }
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            // fall through: not readable here
        }
        return "unknown";
    }

    /** The CPU flags Linux reports (the first processor's), or "" elsewhere. */
    private static String cpuFlags() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1)).orElse("");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * Sets {@code name=value} in the C environment: a copy of {@code environ} without any earlier {@code name} and
     * with the entry appended replaces it (neither the old array nor the new string is ever freed, so a reader
     * holding the old one stays valid). Called once, before ndgrad starts its threads or loads ND4J.
     */
    private static void setenv(String name, String value) {
        Pointer slot = Loader.addressof("environ");
        if (slot == null) {
            return;
        }
        PointerPointer<?> environ = new PointerPointer<>(new PointerPointer<>(slot).get(0));
        int n = 0;
        while (environ.get(n) != null && !environ.get(n).isNull()) {
            n++;
        }
        String entry = name + "=" + value;
        BytePointer text = new BytePointer(Pointer.malloc(entry.length() + 1));
        text.putString(entry);
        PointerPointer<?> fresh = new PointerPointer<>(Pointer.malloc(8L * (n + 2)));
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (!new BytePointer(environ.get(i)).getString().startsWith(name + "=")) {
                fresh.put(kept++, environ.get(i));
            }
        }
        fresh.put(kept, text);
        fresh.put(kept + 1, (Pointer) null);
        new PointerPointer<>(slot).put(0, fresh);
    }
}
