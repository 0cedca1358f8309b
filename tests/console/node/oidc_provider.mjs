// A real OpenID Connect provider for the console's single sign-on tests (oidc-provider, ESM).
// Loopback only. Usage: node oidc_provider.mjs
//   env: OIDC_PORT (0: a free port), OIDC_HOST (listen address, 127.0.0.1), OIDC_ISSUER_HOST (the
//   host name in the issuer URL: "localhost" makes the provider another site than the console at
//   127.0.0.1, as a council's Entra ID is), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
//   OIDC_REDIRECT_URIS (comma-separated).
// Prints one line "READY <issuer>" on stdout when listening.
// Login: dev interactions form; any login name is accepted; password is ignored;
// the account id becomes sub, email = <login>@council.example unless the login already contains '@'.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const host = process.env.OIDC_HOST || '127.0.0.1';
const port = Number(process.env.OIDC_PORT || 0);
const clientId = process.env.OIDC_CLIENT_ID || 'rhi-console';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'rhi-console-test-secret';
const redirectUris = (process.env.OIDC_REDIRECT_URIS || 'http://127.0.0.1:8000/auth/callback').split(',');

// Ephemeral signing key (avoids the built-in "quick start development-only signing keys").
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'test-1' };

// Listen first so a free port (0) can be used in the issuer URL.
const server = createServer();
await new Promise((resolve) => server.listen(port, host, resolve));
const issuer = `http://${process.env.OIDC_ISSUER_HOST || host}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    post_logout_redirect_uris: redirectUris.map((u) => new URL('/', u).href),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },          // demand PKCE for every client (default: only public clients)
  conformIdTokenClaims: false,             // put scope claims (email) into the ID token, not only userinfo
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  features: { devInteractions: { enabled: true } },   // default true in 9.x; explicit for clarity
  // Skip the consent screen for our static (first-party) client: grant requested scopes/claims.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email offline_access');
    grant.addOIDCClaims(['email', 'email_verified']);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id.includes('@') ? id : `${id}@council.example`, email_verified: true };
      },
    };
  },
});

server.on('request', provider.callback());
console.log(`READY ${issuer}`);
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
