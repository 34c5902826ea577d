package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"
)

// waitConnected waits until nc has connected once. A rejected credential or
// a failed TLS handshake ends the wait at once with an error that names the
// settings to check, because retrying cannot fix either.
func waitConnected(ctx context.Context, nc *nats.Conn, c natsConfig, log zerolog.Logger) error {
	logged := false
	for nc.Status() != nats.CONNECTED {
		if err := fatalConnectError(nc.LastError(), c); err != nil {
			return err
		}
		if !logged && nc.LastError() != nil {
			log.Warn().AnErr("error", nc.LastError()).Str("url", redactURL(c.URL)).Msg("cannot reach NATS yet; retrying")
			logged = true
		}

		select {
		case <-ctx.Done():
			return notConnected(ctx, nc, c)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

// notConnected describes why waitConnected gave up.
func notConnected(ctx context.Context, nc *nats.Conn, c natsConfig) error {
	reason := "the server accepted no connection"
	if err := nc.LastError(); err != nil {
		reason = redactIn(err.Error(), c.URL)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("stopped while waiting for NATS at NATS_URL=%q (%s)", redactURL(c.URL), reason)
	}
	return fmt.Errorf("no connection to NATS_URL=%q within %s (%s); check that the server runs and the address is right", redactURL(c.URL), startupWait, reason)
}

// fatalConnectError turns an authentication or TLS failure into an error
// that names the settings to check, and returns nil for any other error.
func fatalConnectError(err error, c natsConfig) error {
	if err == nil {
		return nil
	}

	var unknownAuthority x509.UnknownAuthorityError
	var verify *tls.CertificateVerificationError
	var hostname x509.HostnameError
	switch {
	case errors.Is(err, nats.ErrAuthorization), errors.Is(err, nats.ErrAuthExpired),
		errors.Is(err, nats.ErrAuthRevoked), errors.Is(err, nats.ErrAccountAuthExpired):
		return fmt.Errorf("NATS at %q rejected the credentials (%v); check NATS_CREDS, NATS_NKEY_SEED or the user and password in NATS_URL", redactURL(c.URL), err)
	case errors.As(err, &unknownAuthority), errors.As(err, &verify), errors.As(err, &hostname):
		return fmt.Errorf("TLS to NATS at %q failed (%v); set NATS_TLS_CA to the CA file that signed the server certificate, and use the host name in the certificate", redactURL(c.URL), err)
	case errors.Is(err, nats.ErrSecureConnRequired):
		return fmt.Errorf("NATS at %q requires TLS; use a tls:// URL or set NATS_TLS_CA", redactURL(c.URL))
	case errors.Is(err, nats.ErrNkeysNotSupported):
		return fmt.Errorf("NATS at %q does not support NKey authentication; unset NATS_NKEY_SEED or configure the server for NKeys", redactURL(c.URL))
	}
	return nil
}
