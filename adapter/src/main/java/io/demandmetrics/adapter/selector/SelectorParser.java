package io.demandmetrics.adapter.selector;

import io.demandmetrics.adapter.selector.Requirement.Operator;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A port of the grammar of k8s.io/apimachinery labels.Parse, with its validation of keys and values. */
final class SelectorParser {

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");

    private enum Kind { IDENTIFIER, IN, NOT_IN, OPEN, CLOSE, COMMA, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, BANG,
        GREATER, LESS, END }

    private record Token(Kind kind, String text) {
        String describe() {
            return kind == Kind.END ? "end of selector" : "'" + text + "'";
        }
    }

    private final String input;
    private final List<Token> tokens;
    private int position;

    private SelectorParser(String input) {
        this.input = input;
        this.tokens = lex(input);
    }

    static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return LabelSelector.EVERYTHING;
        }
        return new SelectorParser(text).selector();
    }

    private LabelSelector selector() {
        List<Requirement> requirements = new ArrayList<>();
        while (true) {
            requirements.add(requirement());
            Token next = next();
            if (next.kind == Kind.END) {
                return new LabelSelector(requirements);
            }
            if (next.kind != Kind.COMMA) {
                throw error("found " + next.describe() + ", expected ',' or end of selector");
            }
        }
    }

    private Requirement requirement() {
        Token first = next();
        if (first.kind == Kind.BANG) {
            String key = key(next());
            return new Requirement(key, Operator.DOES_NOT_EXIST, List.of());
        }
        String key = key(first);
        Token operator = peek();
        switch (operator.kind) {
            case END, COMMA:
                return new Requirement(key, Operator.EXISTS, List.of());
            case EQUALS, DOUBLE_EQUALS, NOT_EQUALS: {
                next();
                String value = singleValue();
                return new Requirement(key, operator.kind == Kind.NOT_EQUALS ? Operator.NOT_EQUALS : Operator.EQUALS,
                        List.of(value));
            }
            case GREATER, LESS: {
                next();
                Token bound = next();
                if (bound.kind != Kind.IDENTIFIER || !INTEGER.matcher(bound.text).matches()) {
                    throw error("found " + bound.describe() + ", expected an integer after '" + operator.text + "'");
                }
                return new Requirement(key, operator.kind == Kind.GREATER ? Operator.GREATER_THAN : Operator.LESS_THAN,
                        List.of(bound.text));
            }
            case IN, NOT_IN: {
                next();
                List<String> values = setOfValues(operator.text);
                return new Requirement(key, operator.kind == Kind.IN ? Operator.IN : Operator.NOT_IN, values);
            }
            default:
                throw error("found " + operator.describe() + " after key \"" + key
                        + "\", expected one of '=', '==', '!=', 'in', 'notin', '>', '<', ',' or end of selector");
        }
    }

    /** The value after = or !=, which may be empty (a label with an empty value). */
    private String singleValue() {
        Token value = peek();
        if (value.kind == Kind.END || value.kind == Kind.COMMA) {
            return "";
        }
        next();
        if (value.kind != Kind.IDENTIFIER) {
            throw error("found " + value.describe() + ", expected a value");
        }
        return value(value.text);
    }

    private List<String> setOfValues(String operator) {
        Token open = next();
        if (open.kind != Kind.OPEN) {
            throw error("found " + open.describe() + ", expected '(' after '" + operator + "'");
        }
        List<String> values = new ArrayList<>();
        while (true) {
            Token token = next();
            if (token.kind == Kind.CLOSE && values.isEmpty()) {
                throw error("for '" + operator + "' the set of values must not be empty");
            }
            if (token.kind == Kind.IDENTIFIER) {
                values.add(value(token.text));
            } else if (token.kind == Kind.COMMA || token.kind == Kind.CLOSE) {
                values.add(""); // "(a,)" and "(,a)" hold an empty value, as upstream
                position--;
            } else {
                throw error("found " + token.describe() + ", expected a value in '" + operator + " (...)'");
            }
            Token separator = next();
            if (separator.kind == Kind.CLOSE) {
                return values;
            }
            if (separator.kind != Kind.COMMA) {
                throw error("found " + separator.describe() + ", expected ',' or ')'");
            }
        }
    }

    private String key(Token token) {
        if (token.kind != Kind.IDENTIFIER) {
            throw error("found " + token.describe() + ", expected a label key");
        }
        String key = token.text;
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
                throw error("invalid label key \"" + key + "\": the prefix must be a DNS subdomain");
            }
        }
        if (name.isEmpty() || name.length() > 63 || !NAME.matcher(name).matches()) {
            throw error("invalid label key \"" + key + "\": a name must be at most 63 characters of"
                    + " alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
        }
        return key;
    }

    private String value(String value) {
        if (value.length() > 63 || !NAME.matcher(value).matches()) {
            throw error("invalid label value \"" + value + "\": a value must be at most 63 characters of"
                    + " alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric");
        }
        return value;
    }

    private Token next() {
        return tokens.get(Math.min(position++, tokens.size() - 1));
    }

    private Token peek() {
        return tokens.get(Math.min(position, tokens.size() - 1));
    }

    private SelectorSyntaxException error(String problem) {
        return new SelectorSyntaxException("unable to parse selector \"" + input + "\": " + problem);
    }

    private static List<Token> lex(String input) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < input.length()) {
            char c = input.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            switch (c) {
                case '(' -> tokens.add(new Token(Kind.OPEN, "("));
                case ')' -> tokens.add(new Token(Kind.CLOSE, ")"));
                case ',' -> tokens.add(new Token(Kind.COMMA, ","));
                case '>' -> tokens.add(new Token(Kind.GREATER, ">"));
                case '<' -> tokens.add(new Token(Kind.LESS, "<"));
                case '=' -> {
                    if (i + 1 < input.length() && input.charAt(i + 1) == '=') {
                        tokens.add(new Token(Kind.DOUBLE_EQUALS, "=="));
                        i++;
                    } else {
                        tokens.add(new Token(Kind.EQUALS, "="));
                    }
                }
                case '!' -> {
                    if (i + 1 < input.length() && input.charAt(i + 1) == '=') {
                        tokens.add(new Token(Kind.NOT_EQUALS, "!="));
                        i++;
                    } else {
                        tokens.add(new Token(Kind.BANG, "!"));
                    }
                }
                default -> {
                    int start = i;
                    while (i < input.length() && !isSpecial(input.charAt(i)) && !Character.isWhitespace(input.charAt(i))) {
                        i++;
                    }
                    String word = input.substring(start, i);
                    tokens.add(switch (word) {
                        case "in" -> new Token(Kind.IN, word);
                        case "notin" -> new Token(Kind.NOT_IN, word);
                        default -> new Token(Kind.IDENTIFIER, word);
                    });
                    continue;
                }
            }
            i++;
        }
        tokens.add(new Token(Kind.END, ""));
        return tokens;
    }

    private static boolean isSpecial(char c) {
        return c == '(' || c == ')' || c == ',' || c == '=' || c == '!' || c == '>' || c == '<';
    }
}
