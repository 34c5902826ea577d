package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
)

// testCA writes a CA certificate and a server certificate for 127.0.0.1
// into dir and returns the server TLS config and the CA file path.
func testCA(t *testing.T, dir string) (*tls.Config, string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTemplate := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "router test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatalf("create CA: %v", err)
	}
	caCert, _ := x509.ParseCertificate(caDER)

	serverKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serverTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	serverDER, err := x509.CreateCertificate(rand.Reader, serverTemplate, caCert, &serverKey.PublicKey, caKey)
	if err != nil {
		t.Fatalf("create server certificate: %v", err)
	}

	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{serverDER}, PrivateKey: serverKey}},
		MinVersion:   tls.VersionTLS12,
	}, caFile
}

// startSecureNATS starts a JetStream server that demands TLS and either a
// user and password or the NKey nkeyUser, and returns its port.
func startSecureNATS(t *testing.T, tlsConfig *tls.Config, nkeyUser string) int {
	t.Helper()
	opts := &server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(),
		TLSConfig: tlsConfig, TLS: true, TLSTimeout: 2,
		Users: []*server.User{{Username: "router", Password: "nats-pass-4f9a"}},
		Nkeys: []*server.NkeyUser{{Nkey: nkeyUser}},
		NoLog: true, NoSigs: true,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("configure NATS: %v", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("NATS not ready")
	}
	t.Cleanup(srv.Shutdown)
	return srv.Addr().(*net.TCPAddr).Port
}

func TestSecureNATSConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("starts router processes")
	}
	dir := t.TempDir()
	tlsConfig, caFile := testCA(t, dir)
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatalf("create NKey: %v", err)
	}
	publicKey, _ := user.PublicKey()
	seed, _ := user.Seed()
	seedFile := filepath.Join(dir, "user.nk")
	if err := os.WriteFile(seedFile, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	other, _ := nkeys.CreateUser()
	otherSeed, _ := other.Seed()
	otherFile := filepath.Join(dir, "other.nk")
	if err := os.WriteFile(otherFile, otherSeed, 0o600); err != nil {
		t.Fatal(err)
	}
	port := startSecureNATS(t, tlsConfig, publicKey)
	url := func(user string) string { return "tls://" + user + "@127.0.0.1:" + strconv.Itoa(port) }

	tests := []struct {
		name      string
		env       []string
		wantReady bool
		wantError string
	}{
		{"right credentials", []string{"NATS_URL=" + url("router:nats-pass-4f9a"), "NATS_TLS_CA=" + caFile}, true, ""},
		{"wrong password", []string{"NATS_URL=" + url("router:wrong-pass-77"), "NATS_TLS_CA=" + caFile}, false, "rejected the credentials"},
		{"no credentials", []string{"NATS_URL=tls://127.0.0.1:" + strconv.Itoa(port), "NATS_TLS_CA=" + caFile}, false, "rejected the credentials"},
		{"no CA", []string{"NATS_URL=" + url("router:nats-pass-4f9a")}, false, "NATS_TLS_CA"},
		{"NKey seed", []string{"NATS_URL=tls://127.0.0.1:" + strconv.Itoa(port), "NATS_TLS_CA=" + caFile, "NATS_NKEY_SEED=" + seedFile}, true, ""},
		{"unknown NKey", []string{"NATS_URL=tls://127.0.0.1:" + strconv.Itoa(port), "NATS_TLS_CA=" + caFile, "NATS_NKEY_SEED=" + otherFile}, false, "rejected the credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := freeAddr(t)
			p := startRouter(t, append(tt.env, "ROUTER_HTTP_ADDR="+addr, "ROUTER_INSECURE_NO_AUTH=true"), "ingest")
			if tt.wantReady {
				waitHTTP(t, "http://"+addr+"/healthz")
				assertReady(t, "http://"+addr)
				if err := p.stop(t); err != nil {
					t.Errorf("ingest exit: %v", err)
				}
			} else {
				select {
				case err := <-p.done:
					if err == nil {
						t.Errorf("ingest exited 0, want a start-up failure")
					}
				case <-time.After(20 * time.Second):
					t.Fatalf("ingest still running after 20s, want a fast start-up failure")
				}
				if !strings.Contains(p.output.String(), tt.wantError) {
					t.Errorf("output lacks %q:\n%s", tt.wantError, p.output.String())
				}
			}
			for _, secret := range []string{"nats-pass-4f9a", "wrong-pass-77", string(seed), string(otherSeed)} {
				if strings.Contains(p.output.String(), secret) {
					t.Errorf("output contains the password %q:\n%s", secret, p.output.String())
				}
			}
		})
	}
}
