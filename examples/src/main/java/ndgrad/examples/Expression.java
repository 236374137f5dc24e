package ndgrad.examples;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import ndgrad.autograd.Tensor;

/**
 * A scalar expression over named variables, parsed by recursive descent and evaluated with ndgrad tensors, so its
 * graph, forward values and gradients can be shown. Grammar (usual precedence; ^ binds tighter than unary minus and
 * is right-associative, so -x^2 = -(x^2) and a^b^c = a^(b^c)):
 * <pre>
 * input := (name '=' expr ';')* expr
 * expr  := term (('+' | '-') term)*        term  := unary (('*' | '/') unary)*
 * unary := '-' unary | power               power := primary ('^' unary)?
 * primary := number | name | function '(' expr ')' | '(' expr ')'
 * </pre>
 * Functions: exp log sin cos tanh sigmoid relu sqrt abs. Definitions before the expression name intermediates, as
 * a teacher names them on the blackboard: {@code n = x1*w1 + x2*w2 + b; tanh(n)}. Every other intermediate gets a
 * short name after its op, numbered in evaluation order ({@code mul1}, {@code add2}), and {@link #describe} gives
 * each name its whole sub-expression.
 *
 * <p>Usage: {@code Expression e = Expression.parse("tanh(x1*w1 + b)"); Tensor y = e.evaluate(values);}
 */
public interface Expression {
    /** The functions on offer. */
    Map<String, UnaryOperator<Tensor>> FUNCTIONS = Map.of("exp", Tensor::exp, "log", Tensor::log, "sin", Tensor::sin,
            "cos", Tensor::cos, "tanh", Tensor::tanh, "sigmoid", Tensor::sigmoid, "relu", Tensor::relu, "sqrt",
            Tensor::sqrt, "abs", Tensor::abs);

    /** The value of this node itself, from its operands' values. */
    Tensor compute(Map<String, Tensor> vars);

    /** The variables it mentions, sorted. */
    Set<String> variables();

    /**
     * The value, built from tensor ops. {@code values} holds the variables and must be mutable: every
     * sub-expression's value is added to it under its text, in evaluation order, named by {@link #name}, and a
     * sub-expression already there is not computed again.
     */
    default Tensor evaluate(Map<String, Tensor> values) {
        String text = toString();
        Tensor known = values.get(text);
        if (known != null) {
            return known;
        }
        Tensor computed = compute(values);
        Tensor t = computed.name() == null ? computed.named(name(values)) : computed;
        values.put(text, t);
        return t;
    }

    /** A new intermediate's short name: its op and a number, 1 more than the largest of that op's so far. */
    default String name(Map<String, Tensor> values) {
        String op = opName();
        int n = values.values().stream().map(Tensor::name).filter(l -> l != null && l.matches(op + "\\d+"))
                .mapToInt(l -> Integer.parseInt(l.substring(op.length()))).max().orElse(0);
        return op + (n + 1);
    }

    /** The op that computes this node, which its short name starts with. */
    String opName();

    /**
     * Each value's name in {@code values} (after {@link #evaluate}) with its whole sub-expression, for the names
     * that stand for one: the short names and the definitions.
     */
    static Map<String, String> describe(Map<String, Tensor> values) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        values.forEach((text, t) -> {
            if (t.name() != null && !t.name().equals(text)) {
                out.put(t.name(), text.startsWith("(") && text.endsWith(")") ? text.substring(1, text.length() - 1)
                        : text);
            }
        });
        return out;
    }

    /** A number. */
    record Num(double value) implements Expression {
        @Override
        public Tensor compute(Map<String, Tensor> vars) {
            return Tensor.scalar(value);
        }

        @Override
        public Set<String> variables() {
            return new TreeSet<>();
        }

        @Override
        public String opName() {
            return "num";
        }

        @Override
        public String name(Map<String, Tensor> values) {
            return toString();
        }

        @Override
        public String toString() {
            return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                    : Double.toString(value);
        }
    }

    /** A variable. */
    record Var(String name) implements Expression {
        @Override
        public Tensor compute(Map<String, Tensor> vars) {
            Tensor value = vars.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no value for variable '" + name + "'");
            }
            return value;
        }

        @Override
        public Set<String> variables() {
            return new TreeSet<>(Set.of(name));
        }

        @Override
        public String opName() {
            return "var";
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** -e. */
    record Neg(Expression operand) implements Expression {
        @Override
        public Tensor compute(Map<String, Tensor> vars) {
            return operand.evaluate(vars).neg();
        }

        @Override
        public Set<String> variables() {
            return operand.variables();
        }

        @Override
        public String opName() {
            return "neg";
        }

        @Override
        public String toString() {
            return "(-" + operand + ")";
        }
    }

    /** l op r for op in + - * / ^ (a constant exponent uses pow(double)). */
    record Binary(char op, Expression left, Expression right) implements Expression {
        @Override
        public Tensor compute(Map<String, Tensor> vars) {
            Tensor l = left.evaluate(vars);
            if (op == '^' && right instanceof Num n) {
                return l.pow(n.value());
            }
            Tensor r = right.evaluate(vars);
            return switch (op) {
                case '+' -> l.add(r);
                case '-' -> l.sub(r);
                case '*' -> l.mul(r);
                case '/' -> l.div(r);
                default -> l.pow(r);
            };
        }

        @Override
        public Set<String> variables() {
            Set<String> out = left.variables();
            out.addAll(right.variables());
            return out;
        }

        @Override
        public String opName() {
            return switch (op) {
                case '+' -> "add";
                case '-' -> "sub";
                case '*' -> "mul";
                case '/' -> "div";
                default -> "pow";
            };
        }

        @Override
        public String toString() {
            return "(" + left + " " + op + " " + right + ")";
        }
    }

    /** f(e). */
    record Call(String function, Expression argument) implements Expression {
        @Override
        public Tensor compute(Map<String, Tensor> vars) {
            return FUNCTIONS.get(function).apply(argument.evaluate(vars));
        }

        @Override
        public Set<String> variables() {
            return argument.variables();
        }

        @Override
        public String opName() {
            return function;
        }

        @Override
        public String toString() {
            return function + "(" + argument + ")";
        }
    }

    /**
     * A definition's name for its expression ({@code n = x1*w1 + b;}): the value is named {@code name}, later
     * expressions print it as that name, and {@link #describe} gives its whole expression.
     */
    record Defined(String name, Expression value) implements Expression {
        @Override
        public Tensor evaluate(Map<String, Tensor> values) {
            Tensor known = values.get(name);
            if (known != null) {
                return known;
            }
            Tensor t = value.evaluate(values);
            values.remove(value.toString());
            values.put(value.toString(), t);
            Tensor named = t.named(name);
            values.put(name, named);
            return named;
        }

        @Override
        public Tensor compute(Map<String, Tensor> vars) {
            return evaluate(vars);
        }

        @Override
        public Set<String> variables() {
            return value.variables();
        }

        @Override
        public String opName() {
            return value.opName();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Parses {@code source}; a mistake is an {@link ExpressionException} that points at its column. */
    static Expression parse(String source) {
        return new Parser(source).parseAll();
    }

    /**
     * A parse error at a column (1-based), in one line that shows up to 30 characters of the expression before the
     * column and where it stopped.
     */
    final class ExpressionException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final int column;

        ExpressionException(String source, int index, String what) {
            super("parse error at column " + (index + 1) + ": " + what + ": "
                    + (index > 30 ? "..." + source.substring(index - 30, index) : source.substring(0, index))
                    + " <-- here");
            this.column = index + 1;
        }

        /** The 1-based column of the mistake. */
        public int column() {
            return column;
        }
    }

    /** The recursive-descent parser. */
    final class Parser {
        /** Deeper nesting is refused: the parser, the graph and its pictures all recurse or stack that deep. */
        static final int MAX_DEPTH = 200;
        /** Longer expressions are refused: a long chain is a deep tree too. */
        static final int MAX_LENGTH = 2000;
        /**
         * More operations are refused: every operation is a node of the graph, the trace and the page, each labelled
         * with its sub-expression. With 100, the worst cases measured (a sum of 50 products of 100 variables, a chain
         * of 100 additions), page included, take 2.6 to 4.1 s and 430 to 500 MB of RSS, most of it the heap's slack.
         */
        static final int MAX_OPERATIONS = 100;
        private final String s;
        private int i;
        private int depth;
        private int operations;

        Parser(String source) {
            s = source;
        }

        /** The definitions so far, by name. */
        private final Map<String, Defined> defined = new java.util.HashMap<>();

        Expression parseAll() {
            if (s.length() > MAX_LENGTH) {
                throw new ExpressionException(s, MAX_LENGTH, "longer than " + MAX_LENGTH + " characters");
            }
            for (int start = definition(); start >= 0; start = definition()) {
                String name = s.substring(start, i).strip();
                if (defined.containsKey(name) || FUNCTIONS.containsKey(name)) {
                    throw new ExpressionException(s, start, "'" + name + "' is " + (defined.containsKey(name)
                            ? "defined twice" : "a function"));
                }
                i = s.indexOf('=', i) + 1;
                Expression value = expr();
                expect(';');
                defined.put(name, new Defined(name, value));
            }
            Expression e = expr();
            skip();
            if (i < s.length()) {
                throw error("unexpected '" + s.charAt(i) + "'");
            }
            return e;
        }

        private Expression expr() {
            if (++depth > MAX_DEPTH) {
                throw error("nested more than " + MAX_DEPTH + " levels deep");
            }
            Expression e = term();
            for (char c = peek(); c == '+' || c == '-'; c = peek()) {
                i++;
                operation();
                e = new Binary(c, e, term());
            }
            depth--;
            return e;
        }

        private Expression term() {
            Expression e = unary();
            for (char c = peek(); c == '*' || c == '/'; c = peek()) {
                i++;
                operation();
                e = new Binary(c, e, unary());
            }
            return e;
        }

        private Expression unary() {
            if (peek() == '-') {
                i++;
                if (++depth > MAX_DEPTH) {
                    throw error("nested more than " + MAX_DEPTH + " levels deep");
                }
                operation();
                Expression e = new Neg(unary());
                depth--;
                return e;
            }
            Expression base = primary();
            if (peek() == '^') {
                i++;
                if (++depth > MAX_DEPTH) {
                    throw error("nested more than " + MAX_DEPTH + " levels deep");
                }
                operation();
                Expression e = new Binary('^', base, unary());
                depth--;
                return e;
            }
            return base;
        }

        private Expression primary() {
            char c = peek();
            if (c == '(') {
                i++;
                Expression e = expr();
                expect(')');
                return e;
            }
            if (Character.isDigit(c) || c == '.') {
                int start = i;
                while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.' || s.charAt(i) == 'e'
                        || s.charAt(i) == 'E' || (s.charAt(i) == '-' || s.charAt(i) == '+')
                        && (s.charAt(i - 1) == 'e' || s.charAt(i - 1) == 'E'))) {
                    i++;
                }
                try {
                    return new Num(Double.parseDouble(s.substring(start, i)));
                } catch (NumberFormatException e) {
                    throw new ExpressionException(s, start, "bad number '" + s.substring(start, i) + "'");
                }
            }
            if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                String name = s.substring(start, i);
                if (peek() == '(') {
                    if (!FUNCTIONS.containsKey(name)) {
                        throw new ExpressionException(s, start, "unknown function '" + name + "' (expected one of "
                                + new TreeSet<>(FUNCTIONS.keySet()) + ")");
                    }
                    i++;
                    operation();
                    Expression arg = expr();
                    expect(')');
                    return new Call(name, arg);
                }
                return defined.containsKey(name) ? defined.get(name) : new Var(name);
            }
            throw error(i >= s.length() ? "expected a number, a name or '(' but the expression ended"
                    : "expected a number, a name or '(' but found '" + c + "'");
        }

        /**
         * When the text from here is a definition's start, {@code name =} (not {@code ==}), the name's start, with
         * the position after the name; else -1, the position unchanged.
         */
        private int definition() {
            skip();
            int start = i;
            int end = i;
            while (end < s.length() && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_')) {
                end++;
            }
            int eq = end;
            while (eq < s.length() && Character.isWhitespace(s.charAt(eq))) {
                eq++;
            }
            boolean is = end > start && Character.isLetter(s.charAt(start)) && eq < s.length() && s.charAt(eq) == '='
                    && (eq + 1 >= s.length() || s.charAt(eq + 1) != '=');
            if (!is) {
                return -1;
            }
            i = end;
            return start;
        }

        private void operation() {
            if (++operations > MAX_OPERATIONS) {
                throw error("more than " + MAX_OPERATIONS + " operations (each is a node of the graph and a step of "
                        + "the page)");
            }
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'" + (i >= s.length() ? " but the expression ended"
                        : " but found '" + s.charAt(i) + "'"));
            }
            i++;
        }

        private char peek() {
            skip();
            return i < s.length() ? s.charAt(i) : '\0';
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private ExpressionException error(String what) {
            return new ExpressionException(s, i, what);
        }
    }
}
