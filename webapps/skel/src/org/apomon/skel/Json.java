// SPDX-License-Identifier: MIT
package org.apomon.skel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer: objects become LinkedHashMap, arrays
 * ArrayList, numbers Long or Double, and null JSON null.  Enough for the
 * API's request bodies, without a library the station would have to ship.
 */
public final class Json {
    /** Malformed JSON, with the offset where reading stopped. */
    public static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        public ParseException(String message, int at) {
            super(message + " at offset " + at);
        }
    }

    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    public static Object parse(String text) throws ParseException {
        Json p = new Json(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.i != p.s.length())
            throw new ParseException("trailing characters", p.i);
        return v;
    }

    private void ws() {
        while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0)
            i++;
    }

    private Object value(int depth) throws ParseException {
        if (depth > 64)
            throw new ParseException("nested too deeply", i);
        if (i >= s.length())
            throw new ParseException("unexpected end", i);
        char c = s.charAt(i);
        switch (c) {
        case '{':
            return object(depth);
        case '[':
            return array(depth);
        case '"':
            return string();
        case 't':
            return word("true", Boolean.TRUE);
        case 'f':
            return word("false", Boolean.FALSE);
        case 'n':
            return word("null", null);
        default:
            if (c == '-' || (c >= '0' && c <= '9'))
                return number();
            throw new ParseException("unexpected '" + c + "'", i);
        }
    }

    private Object word(String w, Object v) throws ParseException {
        if (!s.startsWith(w, i))
            throw new ParseException("expected " + w, i);
        i += w.length();
        return v;
    }

    private Object number() throws ParseException {
        int start = i;
        if (s.charAt(i) == '-')
            i++;
        boolean real = false;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                i++;
            } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                real = true;
                i++;
            } else {
                break;
            }
        }
        String t = s.substring(start, i);
        try {
            return real ? (Object) Double.valueOf(t) : (Object) Long.valueOf(t);
        } catch (NumberFormatException e) {
            throw new ParseException("bad number '" + t + "'", start);
        }
    }

    private String string() throws ParseException {
        StringBuilder b = new StringBuilder();
        i++; // the opening quote
        while (true) {
            if (i >= s.length())
                throw new ParseException("unterminated string", i);
            char c = s.charAt(i++);
            if (c == '"')
                return b.toString();
            if (c < 0x20)
                throw new ParseException("control character in string", i - 1);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (i >= s.length())
                throw new ParseException("unterminated escape", i);
            char e = s.charAt(i++);
            switch (e) {
            case '"': b.append('"'); break;
            case '\\': b.append('\\'); break;
            case '/': b.append('/'); break;
            case 'b': b.append('\b'); break;
            case 'f': b.append('\f'); break;
            case 'n': b.append('\n'); break;
            case 'r': b.append('\r'); break;
            case 't': b.append('\t'); break;
            case 'u':
                if (i + 4 > s.length())
                    throw new ParseException("short \\u escape", i);
                try {
                    b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                } catch (NumberFormatException ex) {
                    throw new ParseException("bad \\u escape", i);
                }
                i += 4;
                break;
            default:
                throw new ParseException("bad escape \\" + e, i - 1);
            }
        }
    }

    private List<Object> array(int depth) throws ParseException {
        List<Object> a = new ArrayList<>();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            return a;
        }
        while (true) {
            ws();
            a.add(value(depth + 1));
            ws();
            if (i >= s.length())
                throw new ParseException("unterminated array", i);
            char c = s.charAt(i++);
            if (c == ']')
                return a;
            if (c != ',')
                throw new ParseException("expected , or ]", i - 1);
        }
    }

    private Map<String, Object> object(int depth) throws ParseException {
        Map<String, Object> o = new LinkedHashMap<>();
        i++;
        ws();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            return o;
        }
        while (true) {
            ws();
            if (i >= s.length() || s.charAt(i) != '"')
                throw new ParseException("expected a member name", i);
            String k = string();
            ws();
            if (i >= s.length() || s.charAt(i++) != ':')
                throw new ParseException("expected :", i - 1);
            ws();
            o.put(k, value(depth + 1));
            ws();
            if (i >= s.length())
                throw new ParseException("unterminated object", i);
            char c = s.charAt(i++);
            if (c == '}')
                return o;
            if (c != ',')
                throw new ParseException("expected , or }", i - 1);
        }
    }

    /** Writes maps, lists, strings, numbers, booleans and null as JSON. */
    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String) {
            quote(b, (String) v);
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v.toString());
        } else if (v instanceof Map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first)
                    b.append(',');
                first = false;
                quote(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof Iterable) {
            b.append('[');
            boolean first = true;
            for (Object o : (Iterable<?>) v) {
                if (!first)
                    b.append(',');
                first = false;
                write(b, o);
            }
            b.append(']');
        } else {
            quote(b, v.toString());
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
            case '"': b.append("\\\""); break;
            case '\\': b.append("\\\\"); break;
            case '\n': b.append("\\n"); break;
            case '\r': b.append("\\r"); break;
            case '\t': b.append("\\t"); break;
            case '<': b.append("\\u003c"); break; // safe inside HTML too
            default:
                if (c < 0x20)
                    b.append(String.format("\\u%04x", (int) c));
                else
                    b.append(c);
            }
        }
        b.append('"');
    }
}
