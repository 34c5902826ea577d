package ingest

import (
	"errors"
	"fmt"
	"mime"
	"strings"
)

// errNotJSON is returned by checkContentType for every rejected Content-Type.
var errNotJSON = errors.New("request body is not declared as JSON")

// fixContentType is the fix for a rejected Content-Type, written for the flow builder.
const fixContentType = "set the header Content-Type: application/json. " +
	"Cognigy's HTTP Request node sends form encoding (application/x-www-form-urlencoded) " +
	"unless its payload type is set to JSON"

// checkContentType accepts application/json and application/*+json, with or
// without parameters such as charset.
func checkContentType(header string) error {
	if header == "" {
		return fmt.Errorf("%w: Content-Type is missing; %s", errNotJSON, fixContentType)
	}

	mediaType, _, err := mime.ParseMediaType(header)
	if err != nil {
		return fmt.Errorf("%w: Content-Type %q is invalid; %s", errNotJSON, header, fixContentType)
	}
	if mediaType == "application/json" {
		return nil
	}
	if strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json") {
		return nil
	}
	return fmt.Errorf("%w: Content-Type %q is not JSON; %s", errNotJSON, mediaType, fixContentType)
}

// checkContentEncoding accepts a body without a content coding or with the
// identity coding. Compressed bodies are rejected, because ingest stores
// the body as it arrives and the worker decodes it as JSON.
func checkContentEncoding(values []string) error {
	for _, value := range values {
		for coding := range strings.SplitSeq(value, ",") {
			coding = strings.TrimSpace(coding)
			if coding != "" && !strings.EqualFold(coding, "identity") {
				return fmt.Errorf("Content-Encoding %q is not supported; send the body uncompressed", shorten(coding, 32))
			}
		}
	}
	return nil
}
