package main

import (
	"fmt"

	"github.com/cxrouter/router/cxone"
	"github.com/cxrouter/router/metrics"
	"github.com/cxrouter/router/worker"
)

// CXone API profiles that CXONE_API selects.
const (
	apiInteractionsV2 = "interactions-v2"
	apiInContact      = "incontact"
)

// cxoneSettings is the CXone configuration of a worker process.
type cxoneSettings struct {
	api       string
	v2        cxone.Config
	inContact cxone.InContactConfig
}

func cxoneFromEnv(e *env) cxoneSettings {
	s := cxoneSettings{api: e.str("CXONE_API", apiInteractionsV2)}
	clientID, clientSecret := e.str("CXONE_CLIENT_ID", ""), e.str("CXONE_CLIENT_SECRET", "")
	timeout := e.duration("CXONE_REQUEST_TIMEOUT", cxone.DefaultRequestTimeout)
	maxRPS := e.float("CXONE_MAX_RPS", 0)

	s.v2 = cxone.Config{
		BaseURL:        e.str("CXONE_BASE_URL", cxone.DefaultBaseURL(e.str("CXONE_ENV", cxone.DefaultEnv))),
		TokenURL:       e.str("CXONE_TOKEN_URL", ""),
		ClientID:       clientID,
		ClientSecret:   clientSecret,
		RequestTimeout: timeout,
		MaxRPS:         maxRPS,
	}
	s.inContact = cxone.InContactConfig{
		IssuerURL:       e.str("CXONE_ISSUER_URL", cxone.DefaultIssuerURL),
		ClientID:        clientID,
		ClientSecret:    clientSecret,
		AccessKeyID:     e.str("CXONE_ACCESS_KEY_ID", ""),
		AccessKeySecret: e.str("CXONE_ACCESS_KEY_SECRET", ""),
		APIVersion:      e.str("CXONE_API_VERSION", cxone.DefaultAPIVersion),
		SignalParams:    cxone.ParseSignalParams(e.str("CXONE_SIGNAL_PARAMS", "")),
		RequestTimeout:  timeout,
		MaxRPS:          maxRPS,
	}

	if s.api != apiInteractionsV2 && s.api != apiInContact {
		e.fail(fmt.Errorf("CXONE_API=%q is not a profile; use %s (the PATCH contract) or %s (a real CXone tenant)", s.api, apiInteractionsV2, apiInContact))
	}
	return s
}

// clientID returns the OAuth client id of the selected profile.
func (s cxoneSettings) clientID() string {
	if s.api == apiInContact {
		return s.inContact.ClientID
	}
	return s.v2.ClientID
}

// useSimulator points the selected profile at the simulator at baseURL
// with the given credentials.
func (s *cxoneSettings) useSimulator(baseURL string, creds simCredentials) {
	s.v2.BaseURL, s.v2.TokenURL = baseURL, ""
	s.v2.ClientID, s.v2.ClientSecret = creds.clientID, creds.clientSecret
	s.inContact.IssuerURL = baseURL
	s.inContact.ClientID, s.inContact.ClientSecret = creds.clientID, creds.clientSecret
	s.inContact.AccessKeyID, s.inContact.AccessKeySecret = creds.accessKeyID, creds.accessKeySecret
}

// newClient builds the client of the selected profile and exports its
// request, retry and token metrics to reg.
func (s cxoneSettings) newClient(reg *metrics.Registry) (worker.Updater, error) {
	var client interface {
		worker.Updater
		TokenFetches() int64
	}
	var err error
	if s.api == apiInContact {
		s.inContact.Observer = reg
		client, err = cxone.NewInContactClient(s.inContact)
	} else {
		s.v2.Observer = reg
		client, err = cxone.NewClient(s.v2)
	}
	if err != nil {
		return nil, err
	}

	if err := reg.ObserveTokenFetches(client.TokenFetches); err != nil {
		return nil, err
	}
	return client, nil
}

// simCredentials are the credentials the in-process simulator of
// `router dev` accepts.
type simCredentials struct {
	clientID, clientSecret       string
	accessKeyID, accessKeySecret string
}
