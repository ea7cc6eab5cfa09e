package io.tornadoj.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses the Python subset of template expressions into {@link Expr} trees: literals (strings, ints,
 * floats, {@code True}, {@code False}, {@code None}), lists, tuples, dicts, list comprehensions and
 * generator expressions (both evaluated to lists), names, attributes, indexing and slicing, calls with
 * keyword arguments, {@code ** * / // % + -}, comparisons (chained, {@code in}, {@code not in}, {@code is},
 * {@code is not}), {@code not}, {@code and}, {@code or} and {@code a if c else b}, with Python's precedence. Errors are {@link ParseError}s at the tag's line.
 */
final class ExprParser {
    private static final Set<String> KEYWORDS = Set.of("and", "or", "not", "in", "is", "if", "else", "for",
            "True", "False", "None", "lambda");
    private static final String[] OPERATORS = {"**=", "//=", "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=",
            "/=", "%=", "(", ")", "[", "]", "{", "}", ",", ":", ".", "+", "-", "*", "/", "%", "<", ">", "="};

    private enum Kind { NAME, NUMBER, STRING, OP, END }

    private static final class Token {
        final Kind kind;
        final String text;
        final Object value;

        Token(Kind kind, String text, Object value) {
            this.kind = kind;
            this.text = text;
            this.value = value;
        }
    }

    private final String source;
    private final String filename;
    private final int line;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    /**
     * @param source   the text of the tag
     * @param filename the template's name, for errors
     * @param line     the tag's line, for errors
     */
    ExprParser(String source, String filename, int line) {
        this.source = source;
        this.filename = filename;
        this.line = line;
        tokenize();
    }

    ParseError error(String message) {
        return new ParseError(message + " in \"" + source + "\"", filename, line);
    }

    // ------------------------------------------------------------------ tokens

    private void tokenize() {
        int i = 0;
        int n = source.length();
        while (i < n) {
            char c = source.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(source.charAt(i)) || source.charAt(i) == '_')) {
                    i++;
                }
                String word = source.substring(start, i);
                if (i < n && (source.charAt(i) == '\'' || source.charAt(i) == '"')
                        && (word.equalsIgnoreCase("r") || word.equalsIgnoreCase("u"))) {
                    i = string(i, word.equalsIgnoreCase("r"));
                } else {
                    tokens.add(new Token(Kind.NAME, word, null));
                }
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(source.charAt(i + 1)))) {
                i = number(i);
            } else if (c == '\'' || c == '"') {
                i = string(i, false);
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (source.startsWith(o, i)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw error("unexpected character '" + c + "'");
                }
                tokens.add(new Token(Kind.OP, op, null));
                i += op.length();
            }
        }
        tokens.add(new Token(Kind.END, "end of expression", null));
    }

    private int number(int i) {
        int start = i;
        int n = source.length();
        boolean isFloat = false;
        while (i < n) {
            char c = source.charAt(i);
            if (Character.isDigit(c) || c == '_') {
                i++;
            } else if (c == '.' || c == 'e' || c == 'E') {
                isFloat = true;
                i++;
                if ((c == 'e' || c == 'E') && i < n && (source.charAt(i) == '+' || source.charAt(i) == '-')) {
                    i++;
                }
            } else {
                break;
            }
        }
        String text = source.substring(start, i).replace("_", "");
        try {
            tokens.add(new Token(Kind.NUMBER, text, isFloat ? (Object) Double.parseDouble(text) : (Object) Long.parseLong(text)));
        } catch (NumberFormatException e) {
            throw error("invalid number " + text);
        }
        return i;
    }

    private int string(int i, boolean raw) {
        char quote = source.charAt(i);
        StringBuilder sb = new StringBuilder();
        int n = source.length();
        i++;
        while (true) {
            if (i >= n) {
                throw error("unterminated string");
            }
            char c = source.charAt(i++);
            if (c == quote) {
                break;
            }
            if (c != '\\' || raw) {
                sb.append(c);
                continue;
            }
            if (i >= n) {
                throw error("unterminated string");
            }
            char e = source.charAt(i++);
            switch (e) {
                case 'n': sb.append('\n'); break;
                case 't': sb.append('\t'); break;
                case 'r': sb.append('\r'); break;
                case '0': sb.append('\0'); break;
                case '\\': case '\'': case '"': sb.append(e); break;
                case 'u':
                case 'x':
                    int len = e == 'u' ? 4 : 2;
                    try {
                        sb.append((char) Integer.parseInt(source.substring(i, i + len), 16));
                    } catch (RuntimeException ex) {
                        throw error("invalid \\" + e + " escape");
                    }
                    i += len;
                    break;
                default: sb.append('\\').append(e);
            }
        }
        // adjacent literals concatenate, as in Python
        Token prev = tokens.isEmpty() ? null : tokens.get(tokens.size() - 1);
        if (prev != null && prev.kind == Kind.STRING) {
            tokens.set(tokens.size() - 1, new Token(Kind.STRING, prev.text, prev.value + sb.toString()));
        } else {
            tokens.add(new Token(Kind.STRING, "string", sb.toString()));
        }
        return i;
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private boolean isOp(String op) {
        Token t = peek();
        return t.kind == Kind.OP && t.text.equals(op);
    }

    boolean isKeyword(String word) {
        Token t = peek();
        return t.kind == Kind.NAME && t.text.equals(word);
    }

    private boolean acceptOp(String op) {
        if (isOp(op)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean acceptKeyword(String word) {
        if (isKeyword(word)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expectOp(String op) {
        if (!acceptOp(op)) {
            throw error("expected '" + op + "' but found '" + peek().text + "'");
        }
    }

    void expectKeyword(String word) {
        if (!acceptKeyword(word)) {
            throw error("expected '" + word + "' but found '" + peek().text + "'");
        }
    }

    /** @return an assignment operator ({@code =}, {@code +=}...) if next, consumed; else null */
    String acceptAssignment() {
        Token t = peek();
        if (t.kind == Kind.OP && t.text.endsWith("=") && !t.text.equals("==") && !t.text.equals("!=")
                && !t.text.equals("<=") && !t.text.equals(">=")) {
            pos++;
            return t.text;
        }
        return null;
    }

    boolean atEnd() {
        return peek().kind == Kind.END;
    }

    void expectEnd() {
        if (!atEnd()) {
            throw error("unexpected '" + peek().text + "'");
        }
    }

    /** Saves the position, for a statement that may be an assignment or an expression. */
    int mark() {
        return pos;
    }

    void reset(int mark) {
        pos = mark;
    }

    // ------------------------------------------------------------------ grammar

    /** An expression, or a tuple of them without parentheses ({@code a, b}). */
    Expr expressionList() {
        Expr first = expression();
        if (!isOp(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>();
        items.add(first);
        while (acceptOp(",") && !atEnd()) {
            items.add(expression());
        }
        return new Expr.Sequence(items, true);
    }

    /** Python's {@code test}: a conditional expression. */
    Expr expression() {
        if (isKeyword("lambda")) {
            throw error("lambda is not supported");
        }
        Expr e = orTest();
        if (acceptKeyword("if")) {
            Expr cond = orTest();
            expectKeyword("else");
            return new Expr.IfElse(e, cond, expression());
        }
        return e;
    }

    private Expr orTest() {
        Expr e = andTest();
        while (acceptKeyword("or")) {
            e = new Expr.BoolOp(false, e, andTest());
        }
        return e;
    }

    private Expr andTest() {
        Expr e = notTest();
        while (acceptKeyword("and")) {
            e = new Expr.BoolOp(true, e, notTest());
        }
        return e;
    }

    private Expr notTest() {
        if (acceptKeyword("not")) {
            return new Expr.Unary("not", notTest());
        }
        return comparison();
    }

    private Expr comparison() {
        Expr first = arith();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        operands.add(first);
        while (true) {
            String op;
            Token t = peek();
            if (t.kind == Kind.OP && Set.of("<", ">", "==", "!=", "<=", ">=").contains(t.text)) {
                op = t.text;
                pos++;
            } else if (acceptKeyword("in")) {
                op = "in";
            } else if (isKeyword("not") && tokens.get(pos + 1).kind == Kind.NAME && tokens.get(pos + 1).text.equals("in")) {
                pos += 2;
                op = "not in";
            } else if (acceptKeyword("is")) {
                op = acceptKeyword("not") ? "is not" : "is";
            } else {
                break;
            }
            ops.add(op);
            operands.add(arith());
        }
        return ops.isEmpty() ? first : new Expr.Compare(ops, operands);
    }

    private Expr arith() {
        Expr e = term();
        while (isOp("+") || isOp("-")) {
            String op = tokens.get(pos++).text;
            e = new Expr.Binary(op, e, term());
        }
        return e;
    }

    private Expr term() {
        Expr e = factor();
        while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
            String op = tokens.get(pos++).text;
            e = new Expr.Binary(op, e, factor());
        }
        return e;
    }

    private Expr factor() {
        if (isOp("-") || isOp("+")) {
            String op = tokens.get(pos++).text;
            return new Expr.Unary(op, factor());
        }
        Expr e = postfix(atom());
        if (acceptOp("**")) {
            return new Expr.Binary("**", e, factor());
        }
        return e;
    }

    private Expr postfix(Expr e) {
        while (true) {
            if (acceptOp(".")) {
                Token t = tokens.get(pos++);
                if (t.kind != Kind.NAME) {
                    throw error("expected an attribute name after '.'");
                }
                e = new Expr.Attr(e, t.text);
            } else if (acceptOp("(")) {
                e = call(e);
            } else if (acceptOp("[")) {
                e = subscript(e);
            } else {
                return e;
            }
        }
    }

    private Expr call(Expr fn) {
        List<Expr> args = new ArrayList<>();
        Map<String, Expr> kwargs = new LinkedHashMap<>();
        while (!acceptOp(")")) {
            Token t = peek();
            if (t.kind == Kind.NAME && tokens.get(pos + 1).kind == Kind.OP && tokens.get(pos + 1).text.equals("=")) {
                pos += 2;
                kwargs.put(t.text, expression());
            } else {
                if (!kwargs.isEmpty()) {
                    throw error("positional argument follows keyword argument");
                }
                Expr arg = expression();
                if (args.isEmpty() && acceptKeyword("for")) {
                    args.add(comprehension(arg, ")"));
                    break;
                }
                args.add(arg);
            }
            if (!acceptOp(",")) {
                expectOp(")");
                break;
            }
        }
        return new Expr.Call(fn, args, kwargs);
    }

    private Expr subscript(Expr obj) {
        Expr lo = isOp(":") ? null : expression();
        if (lo != null && acceptOp("]")) {
            return new Expr.Index(obj, lo);
        }
        expectOp(":");
        Expr hi = isOp(":") || isOp("]") ? null : expression();
        Expr step = null;
        if (acceptOp(":") && !isOp("]")) {
            step = expression();
        }
        expectOp("]");
        return new Expr.Slice(obj, lo, hi, step);
    }

    private Expr atom() {
        Token t = tokens.get(pos++);
        switch (t.kind) {
            case NUMBER:
            case STRING:
                return new Expr.Const(t.value);
            case NAME:
                switch (t.text) {
                    case "True": return new Expr.Const(Boolean.TRUE);
                    case "False": return new Expr.Const(Boolean.FALSE);
                    case "None": return new Expr.Const(null);
                    default:
                        if (KEYWORDS.contains(t.text)) {
                            throw error("unexpected '" + t.text + "'");
                        }
                        return new Expr.Name(t.text);
                }
            case OP:
                switch (t.text) {
                    case "(":
                        return parenthesized();
                    case "[":
                        return list();
                    case "{":
                        return dict();
                    default:
                        throw error("unexpected '" + t.text + "'");
                }
            default:
                throw error("unexpected end of expression");
        }
    }

    private Expr parenthesized() {
        if (acceptOp(")")) {
            return new Expr.Sequence(List.of(), true);
        }
        Expr first = expression();
        if (acceptOp(")")) {
            return first;
        }
        if (acceptKeyword("for")) {
            return comprehension(first, ")");
        }
        List<Expr> items = new ArrayList<>();
        items.add(first);
        while (acceptOp(",")) {
            if (isOp(")")) {
                break;
            }
            items.add(expression());
        }
        expectOp(")");
        return new Expr.Sequence(items, true);
    }

    private Expr list() {
        List<Expr> items = new ArrayList<>();
        if (acceptOp("]")) {
            return new Expr.Sequence(items, false);
        }
        Expr first = expression();
        if (acceptKeyword("for")) {
            return comprehension(first, "]");
        }
        items.add(first);
        while (acceptOp(",")) {
            if (isOp("]")) {
                break;
            }
            items.add(expression());
        }
        expectOp("]");
        return new Expr.Sequence(items, false);
    }

    /**
     * The rest of {@code [elt for target in iterable if cond]}, after {@code for}; generator expressions
     * ({@code sum(x for x in xs)}) are evaluated the same way, into a list.
     */
    private Expr comprehension(Expr elt, String close) {
        Expr.Target target = targetList();
        expectKeyword("in");
        Expr iter = orTest();
        Expr cond = acceptKeyword("if") ? orTest() : null;
        expectOp(close);
        return new Expr.ListComp(elt, target, iter, cond);
    }

    private Expr dict() {
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!acceptOp("}")) {
            keys.add(expression());
            expectOp(":");
            values.add(expression());
            if (!acceptOp(",")) {
                expectOp("}");
                break;
            }
        }
        return new Expr.Dict(keys, values);
    }

    /** Assignment targets: {@code x}, {@code k, v}, {@code (i, (k, v))}. */
    Expr.Target targetList() {
        Expr.Target first = target();
        if (!isOp(",")) {
            return first;
        }
        List<Expr.Target> parts = new ArrayList<>();
        parts.add(first);
        while (acceptOp(",")) {
            if (peek().kind != Kind.NAME && !isOp("(")) {
                break;
            }
            parts.add(target());
        }
        return new Expr.Target(null, parts);
    }

    private Expr.Target target() {
        if (acceptOp("(")) {
            Expr.Target t = targetList();
            expectOp(")");
            return t;
        }
        Token t = tokens.get(pos++);
        if (t.kind != Kind.NAME || KEYWORDS.contains(t.text)) {
            throw error("expected a variable name but found '" + t.text + "'");
        }
        return new Expr.Target(t.text, null);
    }

    /** @return the next token if it is a plain name (consumed), else null */
    String acceptName() {
        Token t = peek();
        if (t.kind == Kind.NAME && !KEYWORDS.contains(t.text)) {
            pos++;
            return t.text;
        }
        return null;
    }
}
