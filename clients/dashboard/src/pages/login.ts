/** Login: paste a JWT. It is checked by the gateway (a probe query) before it is kept. */
import { parseToken, saveSession, TokenFormatError } from "../auth";
import { createGraphClient } from "../graphql";
import { PROBE } from "../queries";
import { errorBox, h } from "../ui";

export function renderLogin(root: HTMLElement, onSignedIn: () => void, reason?: string): void {
  const area = h("textarea", { id: "token", placeholder: "eyJhbGciOi…", "aria-label": "Token", spellcheck: "false", autocomplete: "off" });
  const out = h("div", { id: "login-error" }, reason ? h("div", { class: "error" }, reason) : null);
  const button = h("button", { type: "submit", id: "sign-in" }, "Sign in");
  const form = h(
    "form",
    { class: "login" },
    h("h1", {}, "Sign in"),
    h("p", {}, "Paste a token (a JWT from your identity provider; in development: ", h("code", {}, "npm run -s token -- --role admin"), "). It stays in this tab only (sessionStorage)."),
    area,
    h("p", {}, button),
    out,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    button.disabled = true;
    try {
      const session = parseToken(area.value);
      // The gateway refuses a badly signed or expired token with UNAUTHENTICATED.
      await createGraphClient({ token: () => session.token })(PROBE);
      saveSession(session);
      onSignedIn();
    } catch (err) {
      out.replaceChildren(err instanceof TokenFormatError ? h("div", { class: "error", "data-error-code": "BAD_TOKEN" }, err.message) : errorBox(err));
    } finally {
      button.disabled = false;
    }
  });
  root.replaceChildren(form);
  area.focus();
}
