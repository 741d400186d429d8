package main

// The engine: enforces the manifest's checks with the message wording of the library the real
// provider uses (terraform-plugin-sdk v2 helper/validation and helper/schema for SDKv2
// resources, terraform-plugin-framework-validators for framework ones). Attribute checks are
// attached to the served schema as framework validators, so Terraform runs them at validate and
// again at plan (with variables known) on every block element, and skips unknown values as the
// providers do. Whole-resource rules run from ValidateConfig, ModifyPlan and Read.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

var (
	regexCache   = map[string]*regexp.Regexp{}
	regexCacheMu sync.Mutex
)

func compile(pattern string) (*regexp.Regexp, error) {
	regexCacheMu.Lock()
	defer regexCacheMu.Unlock()
	if re, ok := regexCache[pattern]; ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err == nil {
		regexCache[pattern] = re
	}
	return re, err
}

// issue is one failed check: the summary and detail Terraform prints.
type issue struct {
	summary, detail string
	at              *path.Path // overrides the attribute path (whole-resource rules)
}

// provenance names where the check comes from; appended to every diagnostic the stub raises so
// that a reader (and the defect corpus) can tell the attribute and the provider file.
func provenance(m *manifest, attrName, sourceKey string) string {
	s := m.Sources[sourceKey]
	where := s.Path
	if where == "" {
		where = "its schema"
	}
	return fmt.Sprintf("[tf-stub: %s %s attribute %q, as checked by %s %s]", m.Kind, m.Type, attrName, m.Provider, where)
}

// ---- values -------------------------------------------------------------------------------

// tval is a configuration value reduced to what the checks need.
type tval struct {
	v       tftypes.Value
	null    bool
	unknown bool
}

func wrap(v tftypes.Value) tval {
	if !v.IsKnown() {
		return tval{v: v, unknown: true}
	}
	return tval{v: v, null: v.IsNull()}
}

func (t tval) str() (string, bool) {
	var s string
	if t.null || t.unknown || !t.v.Type().Is(tftypes.String) || t.v.As(&s) != nil {
		return "", false
	}
	return s, true
}

func (t tval) int() (int64, bool) {
	var f big.Float
	if t.null || t.unknown || !t.v.Type().Is(tftypes.Number) || t.v.As(&f) != nil {
		return 0, false
	}
	i, _ := f.Int64()
	return i, true
}

func (t tval) elems() []tftypes.Value {
	var out []tftypes.Value
	if t.null || t.unknown {
		return nil
	}
	_ = t.v.As(&out)
	return out
}

// lookup follows an SDK flatmap key ("rotation_rules.0.schedule_expression") through a
// configuration. set reports a non-null value (SDK: ResourceConfig.Get ok), unknown a value not
// yet known (SDK: IsComputed).
func lookup(config tftypes.Value, key string) (tval, bool) {
	cur := config
	for _, step := range strings.Split(key, ".") {
		if !cur.IsKnown() {
			return tval{unknown: true}, true
		}
		if cur.IsNull() {
			return tval{null: true}, false
		}
		if i, err := strconv.Atoi(step); err == nil {
			var list []tftypes.Value
			if cur.As(&list) != nil || i >= len(list) {
				return tval{null: true}, false
			}
			cur = list[i]
			continue
		}
		var obj map[string]tftypes.Value
		if cur.As(&obj) != nil {
			return tval{null: true}, false
		}
		next, ok := obj[step]
		if !ok {
			return tval{null: true}, false
		}
		cur = next
	}
	t := wrap(cur)
	return t, !t.null
}

// flatKey is the SDKv2 validation key of a framework path: attribute names and element
// indexes joined with "." (sets are indexed in configuration order, as the SDK sees them).
func flatKey(p path.Path, config tftypes.Value) string {
	var parts []string
	steps := p.Steps()
	for i, s := range steps {
		switch st := s.(type) {
		case path.PathStepAttributeName:
			parts = append(parts, string(st))
		case path.PathStepElementKeyInt:
			parts = append(parts, strconv.FormatInt(int64(st), 10))
		case path.PathStepElementKeyString:
			parts = append(parts, string(st))
		case path.PathStepElementKeyValue:
			idx := "0"
			if parent, ok := lookup(config, strings.Join(parts, ".")); ok {
				want, _ := st.Value.ToTerraformValue(context.Background())
				for j, e := range parent.elems() {
					if e.Equal(want) {
						idx = strconv.Itoa(j)
					}
				}
			}
			_ = i
			parts = append(parts, idx)
		}
	}
	return strings.Join(parts, ".")
}

func lastName(p path.Path) string {
	steps := p.Steps()
	for i := len(steps) - 1; i >= 0; i-- {
		if n, ok := steps[i].(path.PathStepAttributeName); ok {
			return string(n)
		}
	}
	return ""
}

// ---- the validator attached to every checked attribute ------------------------------------

type attrValidator struct {
	m      *manifest
	name   string // manifest attribute path, e.g. "rotation_rules.automatically_after_days"
	checks []check
	source string
}

func (v attrValidator) Description(context.Context) string {
	return fmt.Sprintf("provider checks on %s", v.name)
}
func (v attrValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v attrValidator) validate(ctx context.Context, p path.Path, config tfsdk.Config, value attr.Value, d *diag.Diagnostics) {
	raw, err := value.ToTerraformValue(ctx)
	if err != nil {
		return
	}
	for _, is := range v.run(p, config.Raw, wrap(raw)) {
		at := p
		if is.at != nil {
			at = *is.at
		}
		d.AddAttributeError(at, is.summary, strings.TrimSpace(is.detail+"\n\n"+provenance(v.m, v.name, v.source)))
	}
}

func (v attrValidator) ValidateString(ctx context.Context, r validator.StringRequest, w *validator.StringResponse) {
	v.validate(ctx, r.Path, r.Config, r.ConfigValue, &w.Diagnostics)
}
func (v attrValidator) ValidateNumber(ctx context.Context, r validator.NumberRequest, w *validator.NumberResponse) {
	v.validate(ctx, r.Path, r.Config, r.ConfigValue, &w.Diagnostics)
}
func (v attrValidator) ValidateBool(ctx context.Context, r validator.BoolRequest, w *validator.BoolResponse) {
	v.validate(ctx, r.Path, r.Config, r.ConfigValue, &w.Diagnostics)
}
func (v attrValidator) ValidateList(ctx context.Context, r validator.ListRequest, w *validator.ListResponse) {
	v.validate(ctx, r.Path, r.Config, r.ConfigValue, &w.Diagnostics)
}
func (v attrValidator) ValidateSet(ctx context.Context, r validator.SetRequest, w *validator.SetResponse) {
	v.validate(ctx, r.Path, r.Config, r.ConfigValue, &w.Diagnostics)
}
func (v attrValidator) ValidateMap(ctx context.Context, r validator.MapRequest, w *validator.MapResponse) {
	v.validate(ctx, r.Path, r.Config, r.ConfigValue, &w.Diagnostics)
}
func (v attrValidator) ValidateObject(ctx context.Context, r validator.ObjectRequest, w *validator.ObjectResponse) {
	v.validate(ctx, r.Path, r.Config, r.ConfigValue, &w.Diagnostics)
}

var interOrder = map[string]int{"exactly_one_of": 0, "at_least_one_of": 1, "required_with": 2, "conflicts_with": 3}

// run applies the attribute's checks in the order the SDK's schemaMap.validate does: ExactlyOneOf
// and AtLeastOneOf (even when the attribute is unset), then, if set, RequiredWith, then, if
// known, ConflictsWith, and only then the value checks; an argument-combination error stops the
// rest, as it does in the SDK.
func (v attrValidator) run(p path.Path, config tftypes.Value, val tval) []issue {
	sdk := v.m.Wording == "sdkv2"
	key := flatKey(p, config)
	var inter, values []check
	for _, c := range v.checks {
		if !c.enforced() {
			continue
		}
		if _, ok := interOrder[c.Check]; ok {
			inter = append(inter, c)
		} else {
			values = append(values, c)
		}
	}
	sort.SliceStable(inter, func(i, j int) bool { return interOrder[inter[i].Check] < interOrder[inter[j].Check] })
	for _, c := range inter {
		set := !val.null
		if (c.Check == "required_with" && !set) || (c.Check == "conflicts_with" && (!set || val.unknown)) {
			continue
		}
		if is := interCheck(c, key, config); is != nil {
			return []issue{*is}
		}
	}
	if val.null || val.unknown {
		return nil
	}
	var out []issue
	for _, c := range values {
		if c.Each {
			for i, e := range val.elems() {
				ev := wrap(e)
				if ev.null || ev.unknown {
					continue
				}
				k := key + "." + strconv.Itoa(i)
				if c.DiagKey {
					k = lastName(p)
				}
				if !sdk {
					k = p.AtListIndex(i).String()
				}
				out = append(out, valueCheck(c, k, ev, sdk)...)
			}
			continue
		}
		k := key
		if c.DiagKey {
			k = lastName(p)
		}
		if !sdk {
			k = p.String()
		}
		out = append(out, valueCheck(c, k, val, sdk)...)
	}
	return out
}

func sortedUnique(keys []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// interCheck: helper/schema's validateConflictingAttributes, validateRequiredWithAttribute,
// validateExactlyOneAttribute and validateAtLeastOneAttribute.
func interCheck(c check, k string, config tftypes.Value) *issue {
	switch c.Check {
	case "conflicts_with":
		for _, other := range c.Keys {
			if ov, set := lookup(config, other); set && !ov.unknown {
				return &issue{summary: "Conflicting configuration arguments", detail: fmt.Sprintf("%q: conflicts with %s", k, other)}
			}
		}
	case "required_with":
		all := sortedUnique(append(append([]string{}, c.Keys...), k))
		for _, other := range all {
			if _, set := lookup(config, other); !set {
				return &issue{summary: "Missing required argument", detail: fmt.Sprintf("%q: all of `%s` must be specified", k, strings.Join(all, ","))}
			}
		}
	case "exactly_one_of":
		all := sortedUnique(append(append([]string{}, c.Keys...), k))
		var specified []string
		unknown := 0
		for _, other := range all {
			ov, set := lookup(config, other)
			if ov.unknown {
				unknown++
				continue
			}
			if set {
				specified = append(specified, other)
			}
		}
		if len(specified) == 0 && unknown == 0 {
			return &issue{summary: "Invalid combination of arguments", detail: fmt.Sprintf("%q: one of `%s` must be specified", k, strings.Join(all, ","))}
		}
		if len(specified) > 1 {
			return &issue{summary: "Invalid combination of arguments", detail: fmt.Sprintf("%q: only one of `%s` can be specified, but `%s` were specified.", k, strings.Join(all, ","), strings.Join(specified, ","))}
		}
	case "at_least_one_of":
		all := sortedUnique(append(append([]string{}, c.Keys...), k))
		for _, other := range all {
			if _, set := lookup(config, other); set {
				return nil
			}
		}
		return &issue{summary: "Missing required argument", detail: fmt.Sprintf("%q: one of `%s` must be specified", k, strings.Join(all, ","))}
	}
	return nil
}

// valueCheck returns the problems one value has under one check. sdk selects the SDKv2 wording
// (the message is the diagnostic summary) or the framework-validators wording.
func valueCheck(c check, k string, v tval, sdk bool) []issue {
	e := func(format string, a ...any) []issue { return []issue{{summary: fmt.Sprintf(format, a...)}} }
	fw := func(summary, desc string, got string) []issue {
		return []issue{{summary: summary, detail: fmt.Sprintf("Attribute %s %s, got: %s", k, desc, got)}}
	}
	s, isStr := v.str()
	n, isNum := v.int()
	switch c.Check {
	case "int_between":
		if isNum && (n < *c.Min || n > *c.Max) {
			if !sdk {
				return fw("Invalid Attribute Value", fmt.Sprintf("value must be between %d and %d", *c.Min, *c.Max), strconv.FormatInt(n, 10))
			}
			return e("expected %s to be in the range (%d - %d), got %d", k, *c.Min, *c.Max, n)
		}
	case "int_at_least":
		if isNum && n < *c.Min {
			if !sdk {
				return fw("Invalid Attribute Value", fmt.Sprintf("value must be at least %d", *c.Min), strconv.FormatInt(n, 10))
			}
			return e("expected %s to be at least (%d), got %d", k, *c.Min, n)
		}
	case "int_in_slice":
		if isNum {
			for _, x := range c.Ints {
				if x == n {
					return nil
				}
			}
			return e("expected %s to be one of %v, got %d", k, c.Ints, n)
		}
	case "int_divisible_by":
		if isNum && n%*c.Min != 0 {
			return e("expected %s to be divisible by %d, got: %v", k, *c.Min, n)
		}
	case "string_len_between":
		if isStr && (int64(len(s)) < *c.Min || int64(len(s)) > *c.Max) {
			if !sdk {
				return []issue{{summary: "Invalid Attribute Value Length", detail: fmt.Sprintf("Attribute %s string length must be between %d and %d, got: %d", k, *c.Min, *c.Max, len(s))}}
			}
			return e("expected length of %s to be in the range (%d - %d), got %s", k, *c.Min, *c.Max, s)
		}
	case "string_in_slice":
		if isStr {
			for _, x := range c.Values {
				if x == s || (c.IgnoreCase && strings.EqualFold(x, s)) {
					return nil
				}
			}
			if !sdk {
				quoted := make([]string, len(c.Values))
				for i, x := range c.Values {
					quoted[i] = strconv.Quote(x)
				}
				return []issue{{summary: "Invalid Attribute Value Match", detail: fmt.Sprintf("Attribute %s value must be one of: [%s], got: %s", k, strings.Join(quoted, " "), strconv.Quote(s))}}
			}
			return e("expected %s to be one of %q, got %s", k, c.Values, s)
		}
	case "string_match", "string_does_not_match":
		if isStr {
			re, _ := compile(c.Pattern)
			want := c.Check == "string_match"
			if re.MatchString(s) != want {
				if c.Message != "" {
					return e("invalid value for %s (%s)", k, c.Message)
				}
				not := ""
				if !want {
					not = "not "
				}
				return e("expected value of %s to %smatch regular expression %q, got %v", k, not, re.String(), s)
			}
		}
	case "message_if_not_match", "message_if_match":
		if isStr {
			re, _ := compile(c.Pattern)
			if re.MatchString(s) == (c.Check == "message_if_match") {
				return []issue{{summary: expand(c.Message, k, s)}}
			}
		}
	case "message_if_arn":
		// arn.IsARN: the "arn:" prefix and at least five separators.
		if isStr && strings.HasPrefix(s, "arn:") && strings.Count(s, ":") >= 5 {
			return []issue{{summary: expand(c.Message, k, s)}}
		}
	case "message_if_longer":
		if isStr && int64(len(s)) > *c.Max {
			return []issue{{summary: expand(c.Message, k, s)}}
		}
	case "no_zero_values":
		if isStr && s == "" {
			return e("%s must not be empty, got %v", k, s)
		}
		if isNum && n == 0 {
			return e("%s must not be zero, got %v", k, n)
		}
	case "string_not_empty":
		if isStr && s == "" {
			return e("expected %q to not be an empty string, got %v", k, s)
		}
	case "json":
		if isStr && s != "" {
			var j any
			if err := json.Unmarshal([]byte(s), &j); err != nil {
				return e("%q contains an invalid JSON: %s", k, err)
			}
		}
	case "iam_policy_json":
		if isStr {
			return iamPolicyJSON(k, s)
		}
	case "event_pattern":
		if isStr && s != "" {
			var j any
			if err := json.Unmarshal([]byte(s), &j); err != nil {
				return e("%q contains an invalid JSON: %s", k, err)
			}
			b, _ := json.Marshal(j)
			norm := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
			if int64(len(norm)) > *c.Max {
				return e("%q cannot be longer than %d characters: %q", k, *c.Max, norm)
			}
		}
	case "arn":
		if isStr {
			return validARN(k, s)
		}
	case "account_id":
		if isStr && !regexp.MustCompile(`^\d{12}$`).MatchString(s) {
			return e("%q doesn't look like AWS Account ID (exactly 12 digits): %q", k, s)
		}
	case "base64":
		if isStr {
			if _, err := base64.StdEncoding.DecodeString(s); err != nil {
				return e("%q (%q) must be base64-encoded", k, s)
			}
		}
	case "url_https_no_query":
		if isStr {
			return httpsURLNoQuery(k, s)
		}
	case "ipv4_cidr_network":
		if isStr {
			if err := ipv4CIDRBlock(s); err != nil {
				if sdk {
					return []issue{{summary: err.Error()}}
				}
				return fw("Invalid Attribute Value", "value must be a valid IPv4 CIDR that represents a network address", s)
			}
		}
	case "lambda_function_name":
		if isStr {
			name := s
			full := regexp.MustCompile(`^arn:[\w-]+:lambda:[a-z]{2}-(?:[a-z]+-){1,2}\d{1}:\d{12}:function:([0-9A-Za-z_-]+)(:(\$LATEST|[0-9A-Za-z_-]+))?$`)
			partial := regexp.MustCompile(`^\d{12}:function:([0-9A-Za-z_-]+)$`)
			if m := full.FindStringSubmatch(s); m != nil {
				name = m[1]
			} else if m := partial.FindStringSubmatch(s); m != nil {
				name = m[1]
			}
			if len(name) > 64 {
				return e("expected length of the Lambda function name to be less than or equal to 64, got %s (%d characters)", name, len(name))
			}
		}
	case "list_max_items", "list_min_items":
		if elems := v.elems(); !v.null && !v.unknown {
			count := len(elems)
			if c.Check == "list_max_items" && int64(count) > *c.Max {
				if !sdk {
					return fw("Invalid Attribute Value", fmt.Sprintf("list must contain at most %d elements", *c.Max), strconv.Itoa(count))
				}
				return []issue{{summary: "Too many list items", detail: fmt.Sprintf("Attribute %s supports %d item maximum, but config has %d declared.", k, *c.Max, count)}}
			}
			if c.Check == "list_min_items" && int64(count) < *c.Min {
				if !sdk {
					return fw("Invalid Attribute Value", fmt.Sprintf("list must contain at least %d elements", *c.Min), strconv.Itoa(count))
				}
				return []issue{{summary: "Not enough list items", detail: fmt.Sprintf("Attribute %s requires %d item minimum, but config has only %d declared.", k, *c.Min, count)}}
			}
		}
	case "block_max_items":
		if elems := v.elems(); int64(len(elems)) > *c.Max {
			return []issue{tooManyBlocks(blockName(k), int(*c.Max))}
		}
	case "any":
		// validation.Any: the first validator that passes wins; otherwise every error is reported.
		var all []issue
		for _, sub := range c.Any {
			is := valueCheck(sub, k, v, sdk)
			if len(is) == 0 {
				return nil
			}
			all = append(all, is...)
		}
		return all
	case "all":
		var all []issue
		for _, sub := range c.All {
			all = append(all, valueCheck(sub, k, v, sdk)...)
		}
		return all
	}
	return nil
}

// blockName is the block type name in a flattened key ("event_selector.0.data_resource" ->
// "data_resource"), as HCL names it.
func blockName(k string) string {
	parts := strings.Split(k, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		if _, err := strconv.Atoi(parts[i]); err != nil {
			return parts[i]
		}
	}
	return k
}

func expand(tmpl, k, v string) string {
	return strings.NewReplacer("{qk}", strconv.Quote(k), "{k}", k, "{qv}", strconv.Quote(v), "{v}", v).Replace(tmpl)
}

// validARN: verify.ValidARN (aws-sdk-go arn.Parse, then partition, region, account and resource).
func validARN(k, s string) []issue {
	e := func(format string, a ...any) []issue { return []issue{{summary: fmt.Sprintf(format, a...)}} }
	if s == "" {
		return nil
	}
	if !strings.HasPrefix(s, "arn:") {
		return e("%q (%s) is an invalid ARN: %s", k, s, "arn: invalid prefix")
	}
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return e("%q (%s) is an invalid ARN: %s", k, s, "arn: not enough sections")
	}
	partition, region, account, resource := parts[1], parts[3], parts[4], parts[5]
	partitionRe := regexp.MustCompile(`^aws(-[a-z]+)*$`)
	regionRe := regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)
	accountRe := regexp.MustCompile(`^(aws|aws-managed|third-party|\d{12}|cw.{10})$`)
	var out []issue
	if partition == "" {
		out = append(out, e("%q (%s) is an invalid ARN: missing partition value", k, s)...)
	} else if !partitionRe.MatchString(partition) {
		out = append(out, e("%q (%s) is an invalid ARN: invalid partition value (expecting to match regular expression: %s)", k, s, partitionRe)...)
	}
	if region != "" && !regionRe.MatchString(region) {
		out = append(out, e("%q (%s) is an invalid ARN: invalid region value (expecting to match regular expression: %s)", k, s, regionRe)...)
	}
	if account != "" && !accountRe.MatchString(account) {
		out = append(out, e("%q (%s) is an invalid ARN: invalid account ID value (expecting to match regular expression: %s)", k, s, accountRe)...)
	}
	if resource == "" {
		out = append(out, e("%q (%s) is an invalid ARN: missing resource value", k, s)...)
	}
	return out
}

// iamPolicyJSON: verify.ValidIAMPolicyJSON as the v6 resources call it (no size argument).
func iamPolicyJSON(k, s string) []issue {
	e := func(format string, a ...any) []issue { return []issue{{summary: fmt.Sprintf(format, a...)}} }
	if len(s) < 1 {
		return e("%q is an empty string, which is not a valid JSON value", k)
	}
	switch s[:1] {
	case "{":
	case " ", "\t", "\r", "\n":
		return e("%q contains an invalid JSON policy: leading space characters are not allowed", k)
	case `"`:
		hint := ""
		var content string
		if json.Unmarshal([]byte(s), &content) == nil {
			var inner any
			if strings.HasSuffix(content, ".json") {
				hint = " (have you passed a JSON-encoded filename instead of the content of that file?)"
			} else if json.Unmarshal([]byte(content), &inner) == nil {
				hint = " (have you double-encoded your JSON data?)"
			}
		}
		return e("%q contains an invalid JSON policy: contains a JSON-encoded string, not a JSON-encoded object%s", k, hint)
	case "[":
		return e("%q contains an invalid JSON policy: contains a JSON array, not a JSON object", k)
	default:
		return e("%q contains an invalid JSON policy: not a JSON object", k)
	}
	var j any
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		msg := err.Error()
		if se, ok := err.(*json.SyntaxError); ok {
			msg = fmt.Sprintf("%s, at byte offset %d", msg, se.Offset)
		}
		return e("%q contains an invalid JSON policy: %s", k, msg)
	}
	if dup := duplicateKey(s); dup != "" {
		return e("%q contains duplicate JSON keys: duplicate key %q", k, dup)
	}
	return nil
}

// duplicateKey returns the first object key repeated within one JSON object, or "".
func duplicateKey(s string) string {
	dec := json.NewDecoder(strings.NewReader(s))
	type frame struct {
		object bool
		keys   map[string]bool
		expect bool // next string token in an object is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		top := func() *frame {
			if len(stack) == 0 {
				return nil
			}
			return stack[len(stack)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				if f := top(); f != nil && f.object {
					f.expect = true
				}
				stack = append(stack, &frame{object: true, keys: map[string]bool{}, expect: true})
				continue
			case '[':
				if f := top(); f != nil && f.object {
					f.expect = true
				}
				stack = append(stack, &frame{})
				continue
			default:
				stack = stack[:len(stack)-1]
				continue
			}
		case string:
			if f := top(); f != nil && f.object && f.expect {
				if f.keys[t] {
					return t
				}
				f.keys[t] = true
				f.expect = false
				continue
			}
		}
		if f := top(); f != nil && f.object {
			f.expect = true
		}
	}
}

func httpsURLNoQuery(k, s string) []issue {
	e := func(format string, a ...any) []issue { return []issue{{summary: fmt.Sprintf(format, a...)}} }
	if s == "" {
		return e("expected %q url to not be empty, got %v", k, s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return e("expected %q to be a valid url, got %v: %+v", k, s, err)
	}
	if u.Host == "" {
		return e("expected %q to have a host, got %v", k, s)
	}
	if u.Scheme != "https" {
		return e("expected %q to have a url with schema of: %q, got %v", k, "https", s)
	}
	if len(u.Query()) > 0 {
		return e("%q cannot contain query parameters per the OIDC standard", k)
	}
	return nil
}

// ipv4CIDRBlock: ValidateIPv4CIDRBlock (parses, is IPv4, is the network address).
func ipv4CIDRBlock(s string) error {
	ip, ipnet, err := net.ParseCIDR(s)
	if err != nil {
		return fmt.Errorf("%q is not a valid CIDR block: %w", s, err)
	}
	if ip.To4() == nil {
		return fmt.Errorf("%q is not a valid IPv4 CIDR block", s)
	}
	if ipnet.String() != s {
		return fmt.Errorf("%q is not a valid IPv4 CIDR block; did you mean %q?", s, ipnet)
	}
	return nil
}

// ---- whole-resource checks -----------------------------------------------------------------

// configRules runs framework ConfigValidators (ExactlyOneOf and friends) on a configuration.
func configRules(m *manifest, config tftypes.Value) diag.Diagnostics {
	var d diag.Diagnostics
	for _, c := range m.ConfigRules {
		if !c.enforced() {
			continue
		}
		exprs := make(path.Expressions, len(c.Keys))
		for i, key := range c.Keys {
			exprs[i] = path.MatchRoot(key)
		}
		var configured []string
		unknown := false
		for _, key := range c.Keys {
			v, set := lookup(config, key)
			if v.unknown {
				unknown = true
			} else if set {
				configured = append(configured, key)
			}
		}
		prov := "\n\n" + provenance(m, strings.Join(c.Keys, ", "), c.Source)
		switch c.Check {
		case "fw_exactly_one_of":
			desc := fmt.Sprintf("Exactly one of these attributes must be configured: %s", exprs)
			if len(configured) > 1 {
				d.AddAttributeError(path.Root(configured[0]), "Invalid Attribute Combination", desc+prov)
			}
			if !unknown && len(configured) == 0 {
				d.AddError("Missing Attribute Configuration", desc+prov)
			}
		case "fw_at_least_one_of":
			if !unknown && len(configured) == 0 {
				d.AddError("Missing Attribute Configuration", fmt.Sprintf("At least one of these attributes must be configured: %s", exprs)+prov)
			}
		case "fw_conflicts_with":
			// keys[0] carries the validator; the rest may not be set with it.
			if v, set := lookup(config, c.Keys[0]); set && !v.unknown {
				for _, other := range c.Keys[1:] {
					if ov, oset := lookup(config, other); oset && !ov.unknown {
						d.AddAttributeError(path.Root(c.Keys[0]), "Invalid Attribute Combination", fmt.Sprintf("Attribute %q cannot be specified when %q is specified", other, c.Keys[0])+prov)
					}
				}
			}
		}
	}
	return d
}

// planChecks runs the manifest's plan rules (CustomizeDiff and friends) on a resource being
// planned for creation, or a data source being read.
func planChecks(m *manifest, config tftypes.Value) diag.Diagnostics {
	var d diag.Diagnostics
	for _, c := range m.PlanRules {
		if !c.enforced() {
			continue
		}
		for _, is := range planRules[c.Rule](m, c, config) {
			detail := strings.TrimSpace(is.detail + "\n\n" + provenance(m, strings.Join(c.Attrs, ", "), c.Source))
			if is.at != nil {
				d.AddAttributeError(*is.at, is.summary, detail)
			} else {
				d.AddError(is.summary, detail)
			}
		}
	}
	return d
}
