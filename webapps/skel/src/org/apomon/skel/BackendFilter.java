// SPDX-License-Identifier: MIT
package org.apomon.skel;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** Names the station that answered (X-Backend: www1) on every response. */
public final class BackendFilter implements Filter {
    private String station;

    @Override
    public void init(FilterConfig cfg) {
        station = cfg.getServletContext().getInitParameter("apomon.station");
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (station != null)
            ((HttpServletResponse) res).setHeader("X-Backend", station);
        chain.doFilter(req, res);
    }
}
