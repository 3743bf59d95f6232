// Forward authentication for every Ingress route (ingress-nginx's global-auth-* ConfigMap keys, as
// flags): an Ingress opts out with nginx.ingress.kubernetes.io/enable-global-auth: "false", and its
// own auth-url wins.
import { option, type OptionSpec } from './option.ts';

export const globalAuthOptions: readonly OptionSpec[] = [
  option('global-auth-url', 'Authentication service asked for every request to an Ingress route, as nginx.ingress.kubernetes.io/auth-url (ingress-nginx: global-auth-url); empty: none. An http(s) URL; $host, $request_uri, $escaped_request_uri and the other auth-url variables are filled in.', ''),
  option('global-auth-method', 'Method of the --global-auth-url request: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS.', 'GET'),
  option('global-auth-signin', 'Where a 401 of the --global-auth-url service redirects (as auth-signin); empty passes the 401 on.', ''),
  option('global-auth-response-headers', 'Comma-separated headers of the --global-auth-url service\'s 2xx answer set on the upstream request (as auth-response-headers).', ''),
  option('global-auth-request-redirect', 'X-Auth-Request-Redirect sent to the --global-auth-url service (as auth-request-redirect); empty: the request URI.', ''),
  option('global-auth-always-set-cookie', 'Send the --global-auth-url service\'s Set-Cookie with every answer, not only 2xx and 3xx (as auth-always-set-cookie; true/false).', 'false'),
  option('global-auth-cache-key', 'Cache the --global-auth-url service\'s answers under this key (as auth-cache-key, e.g. $remote_user$http_authorization); empty: no cache.', ''),
  option('global-auth-cache-duration', 'How long cached --global-auth-url answers are kept, by status (as auth-cache-duration).', '200 202 401 5m'),
];
