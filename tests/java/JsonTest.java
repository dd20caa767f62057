// SPDX-License-Identifier: MIT
// The skel application's JSON reader and writer, with the JDK alone.
import java.util.List;
import java.util.Map;
import org.apomon.skel.Json;

public final class JsonTest {
    private static int passed, failed;

    private static void check(String what, boolean ok) {
        if (ok) {
            passed++;
        } else {
            failed++;
            System.out.println("FAIL: " + what);
        }
    }

    private static boolean refuses(String text) {
        try {
            Json.parse(text);
            return false;
        } catch (Json.ParseException e) {
            return e.getMessage().contains("offset");
        }
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        Map<String, Object> o = (Map<String, Object>) Json.parse(
                " {\"name\": \"Acme \\\"Ltd\\\"\", \"n\": 42, \"x\": -1.5e2, \"ok\": true, \"none\": null,"
                + " \"list\": [1, \"two\", []], \"u\": \"\\u00e9\\n\"} ");
        check("string with escapes", "Acme \"Ltd\"".equals(o.get("name")));
        check("integer is Long", Long.valueOf(42).equals(o.get("n")));
        check("real is Double", Double.valueOf(-150.0).equals(o.get("x")));
        check("true", Boolean.TRUE.equals(o.get("ok")));
        check("null present", o.containsKey("none") && o.get("none") == null);
        check("array", ((List<Object>) o.get("list")).size() == 3);
        check("unicode escape", "\u00e9\n".equals(o.get("u")));
        check("member order kept", String.join(",", o.keySet()).equals("name,n,x,ok,none,list,u"));
        String w = Json.write(o);
        check("round trip", Json.parse(w).equals(o));
        check("writer escapes <", Json.write("</script>").equals("\"\\u003c/script>\""));
        check("writer escapes control", Json.write("a\u0001").equals("\"a\\u0001\""));
        for (String bad : new String[] {"", "{", "{\"a\" 1}", "[1,]x", "\"open", "tru", "{\"a\":1}}", "01x",
                "\"\\q\"", "\"a\u0002\"", "[".repeat(100) + "]".repeat(100)})
            check("refuses " + bad.substring(0, Math.min(bad.length(), 12)), refuses(bad));
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
