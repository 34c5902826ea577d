package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rs/zerolog"

	"github.com/cxrouter/router/ingest"
)

// errNoAuth is returned by `router ingest` when no webhook credential is configured.
var errNoAuth = errors.New("no webhook authentication is configured; set ROUTER_API_KEYS, ROUTER_BASIC_AUTH or ROUTER_JWT_SECRETS, " +
	"or pass --insecure-no-auth (or set ROUTER_INSECURE_NO_AUTH=true) to accept unauthenticated webhooks")

// authFromEnv reads the webhook credentials from ROUTER_API_KEYS,
// ROUTER_BASIC_AUTH and ROUTER_JWT_SECRETS, each a comma-separated list.
// An invalid entry is recorded in e.err with the variable and the entry's
// index from 0, never with its value.
func authFromEnv(e *env) ingest.Auth {
	auth := ingest.DefaultConfig().Auth
	auth.APIKeys = envList(e, "ROUTER_API_KEYS")
	auth.BasicAuth = envList(e, "ROUTER_BASIC_AUTH")
	for _, secret := range envList(e, "ROUTER_JWT_SECRETS") {
		auth.JWTSecrets = append(auth.JWTSecrets, []byte(secret))
	}

	for _, part := range []struct {
		name string
		auth ingest.Auth
	}{
		{"ROUTER_API_KEYS", ingest.Auth{APIKeys: auth.APIKeys}},
		{"ROUTER_BASIC_AUTH", ingest.Auth{BasicAuth: auth.BasicAuth}},
		{"ROUTER_JWT_SECRETS", ingest.Auth{JWTSecrets: auth.JWTSecrets}},
	} {
		if err := part.auth.Validate(); err != nil {
			e.fail(fmt.Errorf("%s: %w", part.name, err))
		}
	}
	return auth
}

// envList splits a comma-separated variable into trimmed entries. Empty
// entries stay in the list, so that Validate reports them.
func envList(e *env, name string) []string {
	value := e.str(name, "")
	if value == "" {
		return nil
	}
	entries := strings.Split(value, ",")
	for i := range entries {
		entries[i] = strings.TrimSpace(entries[i])
	}
	return entries
}

// checkIngestAuth returns errNoAuth when auth has no credential, unless
// insecure is set, in which case it logs a warning instead. It logs the
// configured schemes, never the credentials.
func checkIngestAuth(auth ingest.Auth, insecure bool, log zerolog.Logger) error {
	if !auth.Enabled() && !insecure {
		return errNoAuth
	}
	logAuth(auth, log)
	return nil
}

// logAuth logs how many credentials of each scheme the webhook accepts,
// and warns when it accepts every request.
func logAuth(auth ingest.Auth, log zerolog.Logger) {
	if !auth.Enabled() {
		log.Warn().Msg("webhook authentication is off: any client that reaches the HTTP port can post routing requests; " +
			"set ROUTER_API_KEYS, ROUTER_BASIC_AUTH or ROUTER_JWT_SECRETS")
		return
	}
	log.Info().
		Int("api_keys", len(auth.APIKeys)).
		Int("basic_auth_users", len(auth.BasicAuth)).
		Int("jwt_secrets", len(auth.JWTSecrets)).
		Msg("webhook authentication is on")
}
