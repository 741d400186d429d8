package main

// The validator manifest: the plan-time checks the real providers make on the attributes our
// stacks set, as data (checks/*.json, one file per resource, data source or ephemeral type),
// embedded in the binary at build time. Each check names its kind and parameters; engine.go
// enforces the kinds, rules.go the few whole-resource plan rules that are code in the provider
// (CustomizeDiff). The facts and their citations live in the JSON; nothing here is provider code.

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

//go:embed checks/*.json
var checkFiles embed.FS

type manifest struct {
	Kind     string `json:"kind"` // resource, data, ephemeral
	Type     string `json:"type"`
	Provider string `json:"provider"`
	// Wording selects the message family the provider's implementation uses: "sdkv2"
	// (terraform-plugin-sdk helper/schema and helper/validation) or "framework"
	// (terraform-plugin-framework-validators).
	Wording    string                 `json:"wording"`
	Sources    map[string]source      `json:"sources"`
	Attributes map[string]*attrChecks `json:"attributes"`
	// ConfigRules are whole-resource validate-time checks (framework ConfigValidators).
	ConfigRules []check `json:"config_rules"`
	// PlanRules run when Terraform plans the resource (SDKv2 CustomizeDiff, framework
	// ModifyPlan, data source Read).
	PlanRules []check `json:"plan_rules"`
}

type source struct {
	Repo    string `json:"repo"`
	Path    string `json:"path"`
	Commit  string `json:"commit"`
	Version string `json:"version"`
	Note    string `json:"note"`
}

type attrChecks struct {
	Source string  `json:"source"`
	Line   int     `json:"line"`
	None   string  `json:"none"` // why there is no provider check on this attribute
	Checks []check `json:"checks"`
}

type check struct {
	Check string `json:"check"`
	// Parameters (which ones a kind reads is listed in kindParams).
	Min     *int64   `json:"min,omitempty"`
	Max     *int64   `json:"max,omitempty"`
	Ints    []int64  `json:"ints,omitempty"`
	Values  []string `json:"values,omitempty"`
	Pattern string   `json:"pattern,omitempty"`
	// IgnoreCase: string_in_slice compares case-insensitively (StringInSlice(..., true)).
	IgnoreCase bool `json:"ignore_case,omitempty"`
	// Message is the provider's own text; for "message" kinds it is a template where {k} is
	// the attribute key, {qk} the key quoted as Go's %q does, {v} the value and {qv} it quoted.
	Message string   `json:"message,omitempty"`
	Keys    []string `json:"keys,omitempty"`
	Any     []check  `json:"any,omitempty"`
	All     []check  `json:"all,omitempty"`
	Rule    string   `json:"rule,omitempty"`
	Attrs   []string `json:"attributes,omitempty"`
	// Each applies the check to every element of a list or set attribute.
	Each bool `json:"each,omitempty"`
	// DiagKey: the provider wraps the check with validation.ToDiagFunc (ValidateDiagFunc),
	// so the message names the last attribute name instead of the flattened key.
	DiagKey bool `json:"diag_key,omitempty"`
	// Citation and coverage metadata (read by the docs generator and the tests).
	Source     string   `json:"source,omitempty"`
	Line       int      `json:"line,omitempty"`
	Guardrails []string `json:"guardrails,omitempty"`
	Note       string   `json:"note,omitempty"`
	// Stub: false marks a provider check the stub does not enforce (with Note saying why).
	Stub *bool `json:"stub,omitempty"`
}

func (c check) enforced() bool { return c.Stub == nil || *c.Stub }

// kindParams lists every check kind the engine enforces and the parameters it needs.
var kindParams = map[string][]string{
	// value checks (validate time)
	"int_between":           {"min", "max"},
	"int_at_least":          {"min"},
	"int_in_slice":          {"ints"},
	"int_divisible_by":      {"min"},
	"string_len_between":    {"min", "max"},
	"string_in_slice":       {"values"},
	"string_match":          {"pattern"},
	"string_does_not_match": {"pattern"},
	"no_zero_values":        {},
	"string_not_empty":      {},
	"json":                  {},
	"iam_policy_json":       {},
	"event_pattern":         {"max"},
	"arn":                   {},
	"account_id":            {},
	"base64":                {},
	"url_https_no_query":    {},
	"ipv4_cidr_network":     {},
	"message_if_not_match":  {"pattern", "message"},
	"message_if_match":      {"pattern", "message"},
	"message_if_longer":     {"max", "message"},
	"message_if_arn":        {"message"},
	"lambda_function_name":  {},
	"any":                   {"any"},
	"all":                   {"all"},
	// collection size (SDKv2 MaxItems/MinItems on attributes, framework list validators)
	"list_max_items": {"max"},
	"list_min_items": {"min"},
	// an SDKv2 block's MaxItems above 1, which the served schema (read from the 6.25.0 binding)
	// cannot carry; Terraform core refuses the extra blocks with HCL's wording
	"block_max_items": {"max"},
	// inter-attribute (validate time)
	"conflicts_with":  {"keys"},
	"required_with":   {"keys"},
	"exactly_one_of":  {"keys"},
	"at_least_one_of": {"keys"},
	// whole resource
	"fw_exactly_one_of":  {"keys"},
	"fw_at_least_one_of": {"keys"},
	"fw_conflicts_with":  {"keys"},
	"rule":               {"rule"},
}

type manifests struct {
	byKey map[string]*manifest // "<kind> <type>"
}

func (m *manifests) get(kind, typeName string) *manifest {
	if m == nil {
		return nil
	}
	return m.byKey[kind+" "+typeName]
}

// loadManifests reads and checks every embedded manifest file: known kinds, the parameters
// each kind needs, known sources, and unique types.
func loadManifests() (*manifests, error) {
	entries, err := checkFiles.ReadDir("checks")
	if err != nil {
		return nil, err
	}
	out := &manifests{byKey: map[string]*manifest{}}
	for _, e := range entries {
		raw, err := checkFiles.ReadFile(path.Join("checks", e.Name()))
		if err != nil {
			return nil, err
		}
		var m manifest
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("checks/%s: %w", e.Name(), err)
		}
		if err := m.verify(); err != nil {
			return nil, fmt.Errorf("checks/%s: %w", e.Name(), err)
		}
		key := m.Kind + " " + m.Type
		if out.byKey[key] != nil {
			return nil, fmt.Errorf("checks/%s: %s declared twice", e.Name(), key)
		}
		out.byKey[key] = &m
	}
	return out, nil
}

func (m *manifest) verify() error {
	switch m.Kind {
	case "resource", "data", "ephemeral":
	default:
		return fmt.Errorf("kind %q", m.Kind)
	}
	if m.Wording != "sdkv2" && m.Wording != "framework" {
		return fmt.Errorf("wording %q", m.Wording)
	}
	var verifyCheck func(where string, c check) error
	verifyCheck = func(where string, c check) error {
		params, ok := kindParams[c.Check]
		if !ok {
			return fmt.Errorf("%s: unknown check kind %q", where, c.Check)
		}
		for _, p := range params {
			missing := false
			switch p {
			case "min":
				missing = c.Min == nil
			case "max":
				missing = c.Max == nil
			case "ints":
				missing = len(c.Ints) == 0
			case "values":
				missing = len(c.Values) == 0
			case "pattern":
				missing = c.Pattern == ""
			case "message":
				missing = c.Message == ""
			case "keys":
				missing = len(c.Keys) == 0
			case "any":
				missing = len(c.Any) == 0
			case "all":
				missing = len(c.All) == 0
			case "rule":
				missing = planRules[c.Rule] == nil
			}
			if missing {
				return fmt.Errorf("%s: check %q needs %s", where, c.Check, p)
			}
		}
		if c.Pattern != "" {
			if _, err := compile(c.Pattern); err != nil {
				return fmt.Errorf("%s: pattern: %w", where, err)
			}
		}
		if c.Source != "" && m.Sources[c.Source].Path == "" {
			return fmt.Errorf("%s: unknown source %q", where, c.Source)
		}
		for _, sub := range append(append([]check{}, c.Any...), c.All...) {
			if err := verifyCheck(where, sub); err != nil {
				return err
			}
		}
		return nil
	}
	for _, name := range sortedKeys(m.Attributes) {
		a := m.Attributes[name]
		if a.Source != "" && m.Sources[a.Source].Path == "" {
			return fmt.Errorf("%s: unknown source %q", name, a.Source)
		}
		if a.None == "" && len(a.Checks) == 0 {
			return fmt.Errorf("%s: no checks and no reason why (set \"none\")", name)
		}
		for _, c := range a.Checks {
			if err := verifyCheck(name, c); err != nil {
				return err
			}
		}
	}
	for _, c := range append(append([]check{}, m.ConfigRules...), m.PlanRules...) {
		if err := verifyCheck(m.Type, c); err != nil {
			return err
		}
	}
	return nil
}

// summary is what `tf-stub -check-manifest` prints: the kinds the engine knows and, per type,
// the attributes and the number of checks (enforced and not), for the tests and the docs.
func (m *manifests) summary() map[string]any {
	kinds := make([]string, 0, len(kindParams))
	for k := range kindParams {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	rules := make([]string, 0, len(planRules))
	for k := range planRules {
		rules = append(rules, k)
	}
	sort.Strings(rules)
	types := map[string]any{}
	for key, mf := range m.byKey {
		n, enforced := 0, 0
		count := func(cs []check) {
			for _, c := range cs {
				n++
				if c.enforced() {
					enforced++
				}
			}
		}
		for _, a := range mf.Attributes {
			count(a.Checks)
		}
		count(mf.ConfigRules)
		count(mf.PlanRules)
		types[key] = map[string]any{"attributes": len(mf.Attributes), "checks": n, "enforced": enforced}
	}
	return map[string]any{"kinds": kinds, "rules": rules, "types": types}
}
