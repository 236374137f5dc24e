package ndgrad.examples;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.spi.FilterReply;

/**
 * The command line's logging, set up in code (logback finds it through {@code META-INF/services}) instead of a
 * {@code logback.xml}, whose parsing took about a third of {@code ndgrad --help}'s time: answers and progress on
 * stdout as {@code HH:mm:ss message}; warnings and errors on stderr as {@code ndgrad: LEVEL: message}, so a program
 * reading the answer never sees them. ND4J and reflections log warnings only, JavaCPP errors only (it warns that
 * OpenBLAS 0.3.21-1.5.8 was built by another JavaCPP than ND4J's 1.5.7: chosen on purpose).
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console(context, "CONSOLE", "%d{HH:mm:ss} %msg%n", false));
        root.addAppender(console(context, "STDERR", "ndgrad: %level: %msg%n", true));
        context.getLogger("org.nd4j").setLevel(Level.WARN);
        context.getLogger("org.reflections").setLevel(Level.WARN);
        context.getLogger("org.bytedeco").setLevel(Level.ERROR);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** A console appender of warnings and errors (on stderr) or of everything below them (on stdout). */
    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, String pattern,
            boolean warnings) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setEncoder(encoder);
        if (warnings) {
            appender.setTarget("System.err");
        }
        appender.addFilter(new Filter<>() {
            @Override
            public FilterReply decide(ILoggingEvent e) {
                return e.getLevel().isGreaterOrEqual(Level.WARN) == warnings ? FilterReply.NEUTRAL : FilterReply.DENY;
            }
        });
        appender.start();
        return appender;
    }
}
