// SPDX-License-Identifier: MIT
package org.apomon.skel;

import java.util.Map;

/** Field checks of request bodies: each failure is a 400 naming the field. */
final class Validate {
    private Validate() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object body) throws ApiException {
        if (!(body instanceof Map))
            throw new ApiException(400, "expected a JSON object");
        return (Map<String, Object>) body;
    }

    static void onlyKnown(Map<String, Object> o, String... known) throws ApiException {
        outer:
        for (String k : o.keySet()) {
            for (String n : known)
                if (n.equals(k))
                    continue outer;
            throw new ApiException(400, k + ": unknown field, expected one of " + String.join(", ", known));
        }
    }

    /** A required (or, when partial, optional) non-blank string of at most max characters. */
    static String text(Map<String, Object> o, String k, int max, boolean required) throws ApiException {
        Object v = o.get(k);
        if (v == null) {
            if (required)
                throw new ApiException(400, k + ": missing, expected a string");
            return null;
        }
        if (!(v instanceof String))
            throw new ApiException(400, k + ": expected a string");
        String s = ((String) v).trim();
        if (s.isEmpty() && required)
            throw new ApiException(400, k + ": empty, expected a non-blank string");
        if (s.length() > max)
            throw new ApiException(400, k + ": longer than " + max + " characters");
        return s;
    }

    static String email(Map<String, Object> o, String k, boolean required) throws ApiException {
        String s = text(o, k, 200, required);
        if (s != null && !s.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+"))
            throw new ApiException(400, k + ": '" + s + "' is not an e-mail address, expected name@domain");
        return s;
    }

    static Integer id(Map<String, Object> o, String k, boolean required) throws ApiException {
        Object v = o.get(k);
        if (v == null) {
            if (required)
                throw new ApiException(400, k + ": missing, expected an integer id");
            return null;
        }
        if (!(v instanceof Long) || (Long) v < 1 || (Long) v > Integer.MAX_VALUE)
            throw new ApiException(400, k + ": expected a positive integer id");
        return ((Long) v).intValue();
    }
}
