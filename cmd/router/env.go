package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// envHelp lists the environment variables for `router help`.
var envHelp = [][2]string{
	{"ROUTER_HTTP_ADDR", "listen address of ingest (default :8080) and of the worker's health server (default :8081)"},
	{"ROUTER_API_KEYS", "webhook API keys, comma separated, accepted as X-API-Key: KEY or Authorization: ApiKey KEY (16 characters or more)"},
	{"ROUTER_BASIC_AUTH", "webhook HTTP Basic credentials, comma separated user:password pairs (password 8 characters or more)"},
	{"ROUTER_JWT_SECRETS", "webhook HS256 secrets, comma separated, for Authorization: Bearer JWT (32 bytes or more)"},
	{"ROUTER_INSECURE_NO_AUTH", "true lets 'router ingest' start without webhook credentials (default false)"},
	{"NATS_URL", "NATS server URLs, comma separated (default nats://127.0.0.1:4222)"},
	{"NATS_CREDS", "NATS credentials file (JWT and NKey)"},
	{"NATS_NKEY_SEED", "file holding an NKey seed"},
	{"NATS_TLS_CA", "CA certificate file for TLS to NATS"},
	{"NATS_TLS_CERT, NATS_TLS_KEY", "client certificate and key files for TLS to NATS"},
	{"NATS_REPLICAS", "replicas of the streams, the consumer and the lease bucket: 1 to 5, at most the cluster size (default 1)"},
	{"ROUTER_ACK_WAIT", "time a worker may hold a message before JetStream redelivers it; workers extend it while busy (default 30s)"},
	{"ROUTER_MAX_DELIVER", "deliveries of one message before it is dead-lettered (default 20)"},
	{"ROUTER_DATA_DIR", "store directory of the embedded NATS server in 'router dev' (default ./data)"},
	{"ROUTER_MAPPING_FILE", "YAML routing rules (default: the built-in rules)"},
	{"ROUTER_INTERACTION_ID_PATHS", "JSON paths of the interaction id in a webhook, comma separated, first match wins (default cxoneInteractionId,data.contactId)"},
	{"ROUTER_INTENT_PATHS", "JSON paths of the intent name (default intent.name,intent)"},
	{"ROUTER_CONFIDENCE_PATHS", "JSON paths of the intent confidence (default intent.confidence,intentScore)"},
	{"ROUTER_ENTITIES_PATHS", "JSON paths of the entity list (default entities)"},
	{"ROUTER_SLOTS_PATHS", "JSON paths of the Cognigy slots object (default slots); ingest and workers must use the same paths"},
	{"ROUTER_WORKER_CONCURRENCY", "messages one worker process handles at once (default 64)"},
	{"CXONE_CLIENT_ID, CXONE_CLIENT_SECRET", "OAuth client credentials; 'router dev' starts a simulator when unset"},
	{"CXONE_ENV", "environment name in the default base URL (default us)"},
	{"CXONE_BASE_URL", "CXone API base URL (default https://api.${CXONE_ENV}.nicenginx.com)"},
	{"CXONE_TOKEN_URL", "token endpoint (default ${CXONE_BASE_URL}/api/v2/oauth/token)"},
	{"CXONE_API", "CXone API profile: interactions-v2 (PATCH contract) or incontact (real CXone tenant) (default interactions-v2)"},
	{"CXONE_ISSUER_URL", "incontact: issuer for discovery (default https://cxone.niceincontact.com)"},
	{"CXONE_ACCESS_KEY_ID, CXONE_ACCESS_KEY_SECRET", "incontact: access key for the password grant"},
	{"CXONE_API_VERSION", "incontact: inContact API version in paths (default v30.0)"},
	{"CXONE_SIGNAL_PARAMS", "incontact: decision fields sent as p1..p9, comma separated (default skill,priority,wrapUpCode,customField)"},
	{"CXONE_MAX_RPS", "client-side limit of CXone requests per second per worker process (default none)"},
	{"CXONE_REQUEST_TIMEOUT", "timeout of one CXone HTTP request (default 5s)"},
	{"ROUTER_LOG_LEVEL", "trace, debug, info, warn or error (default info)"},
	{"ROUTER_DEV_NATS_ADDR", "'router dev': listen address of the embedded NATS server (default 127.0.0.1:4222)"},
	{"ROUTER_DEV_SIM_ADDR", "'router dev': listen address of the CXone simulator (default 127.0.0.1:8090)"},
}

// env reads typed environment variables and keeps the first error, which
// names the variable and the expected form.
type env struct {
	lookup func(string) (string, bool)
	err    error
}

func newEnv() *env { return &env{lookup: os.LookupEnv} }

func (e *env) str(name, def string) string {
	if v, ok := e.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func (e *env) integer(name string, def int) int {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.fail(fmt.Errorf("%s=%q is not a whole number", name, v))
		return def
	}
	return n
}

func (e *env) float(name string, def float64) float64 {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		e.fail(fmt.Errorf("%s=%q is not a non-negative number", name, v))
		return def
	}
	return f
}

func (e *env) duration(name string, def time.Duration) time.Duration {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		e.fail(fmt.Errorf("%s=%q is not a duration; use a form such as 500ms, 5s or 2m", name, v))
		return def
	}
	return d
}

func (e *env) boolean(name string, def bool) bool {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.fail(fmt.Errorf("%s=%q is not true or false", name, v))
		return def
	}
	return b
}

func (e *env) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}
