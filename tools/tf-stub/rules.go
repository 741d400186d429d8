package main

// Whole-resource plan rules: the provider checks that are code (SDKv2 CustomizeDiff, framework
// ModifyPlan interceptors, data source Read) rather than schema validators. Each rule reads the
// configuration of a resource planned for creation and returns the provider's error text; the
// manifest says which rule applies to which type and cites the provider code. A new resource
// (no prior state) sees its configuration and the schema defaults, which is what these rules
// read through d.Get in the provider.

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

type planRule func(m *manifest, c check, config tftypes.Value) []issue

var planRules = map[string]planRule{
	"region_in_partition":             ruleRegionInPartition,
	"lambda_handler_runtime_zip":      ruleLambdaHandlerRuntime,
	"dynamodb_attributes_indexed":     ruleDynamoDBAttributesIndexed,
	"dynamodb_provisioned_throughput": ruleDynamoDBThroughput,
	"metric_alarm_statistic":          ruleMetricAlarmStatistic,
	"sns_topic_name":                  ruleSNSTopicName,
	"archive_build":                   ruleArchiveBuild,
}

func cfgStr(config tftypes.Value, key string) (string, bool) {
	v, set := lookup(config, key)
	if !set || v.unknown {
		return "", false
	}
	s, ok := v.str()
	return s, ok
}

// partitions: the AWS partitions' region patterns (AWS SDK endpoint partition data, which
// names.PartitionForRegion consults). The provider is configured in the standard partition.
var partitions = []struct{ id, pattern string }{
	{"aws-cn", `^cn\-\w+\-\d+$`},
	{"aws-us-gov", `^us\-gov\-\w+\-\d+$`},
	{"aws-iso", `^us\-iso\-\w+\-\d+$`},
	{"aws-iso-b", `^us\-isob\-\w+\-\d+$`},
	{"aws-iso-e", `^eu\-isoe\-\w+\-\d+$`},
	{"aws-iso-f", `^us\-isof\-\w+\-\d+$`},
	{"aws-eusc", `^eusc\-(de)\-\w+\-\d+$`},
}

// ruleRegionInPartition: the provider's per-resource region interceptor (CustomizeDiff for
// SDKv2 resources, ModifyPlan for framework ones): a `region` outside the provider's configured
// partition fails the plan.
func ruleRegionInPartition(m *manifest, c check, config tftypes.Value) []issue {
	region, ok := cfgStr(config, "region")
	if !ok || region == "" {
		return nil
	}
	got := "aws"
	for _, p := range partitions {
		if regexp.MustCompile(p.pattern).MatchString(region) {
			got = p.id
		}
	}
	if got == "aws" {
		return nil
	}
	msg := fmt.Sprintf("partition (%s) for per-resource Region (%s) is not the provider's configured partition (%s)", got, region, "aws")
	at := path.Root("region")
	if m.Wording == "framework" {
		return []issue{{summary: "Invalid Region Value", detail: msg, at: &at}}
	}
	return []issue{{summary: msg, at: &at}}
}

func ruleLambdaHandlerRuntime(m *manifest, c check, config tftypes.Value) []issue {
	packageType, ok := cfgStr(config, "package_type")
	if !ok {
		packageType = "Zip" // schema default
	}
	if v, _ := lookup(config, "handler"); v.unknown {
		return nil
	}
	if v, _ := lookup(config, "runtime"); v.unknown {
		return nil
	}
	_, handler := lookup(config, "handler")
	_, runtime := lookup(config, "runtime")
	if packageType == "Zip" && (!handler || !runtime) {
		return []issue{{summary: "handler and runtime must be set when PackageType is Zip"}}
	}
	return nil
}

func ruleDynamoDBAttributesIndexed(m *manifest, c check, config tftypes.Value) []issue {
	indexed := map[string]bool{}
	for _, k := range []string{"hash_key", "range_key"} {
		if s, ok := cfgStr(config, k); ok && s != "" {
			indexed[s] = true
		}
	}
	for _, idx := range elems(config, "local_secondary_index") {
		if s, ok := cfgStr(idx, "range_key"); ok {
			indexed[s] = true
		}
	}
	for _, idx := range elems(config, "global_secondary_index") {
		for _, k := range []string{"hash_key", "range_key"} {
			if s, ok := cfgStr(idx, k); ok && s != "" {
				indexed[s] = true
			}
		}
	}
	var unindexed []string
	for _, a := range elems(config, "attribute") {
		name, ok := cfgStr(a, "name")
		if !ok {
			return nil
		}
		if indexed[name] {
			delete(indexed, name)
		} else {
			unindexed = append(unindexed, name)
		}
	}
	var out []issue
	if len(unindexed) > 0 {
		slices.Sort(unindexed)
		out = append(out, issue{summary: fmt.Sprintf("all attributes must be indexed. Unused attributes: %q", unindexed)})
	}
	if len(indexed) > 0 {
		var missing []string
		for k := range indexed {
			missing = append(missing, k)
		}
		slices.Sort(missing)
		out = append(out, issue{summary: fmt.Sprintf("all indexes must match a defined attribute. Unmatched indexes: %q", missing)})
	}
	if len(out) == 2 {
		// errors.Join: one error, two lines.
		return []issue{{summary: out[0].summary + "\n" + out[1].summary}}
	}
	return out
}

func ruleDynamoDBThroughput(m *manifest, c check, config tftypes.Value) []issue {
	billing, ok := cfgStr(config, "billing_mode")
	if !ok {
		billing = "PROVISIONED" // schema default
	}
	var msgs []string
	for _, key := range []string{"read_capacity", "write_capacity"} {
		v, set := lookup(config, key)
		if v.unknown {
			continue
		}
		n := int64(0)
		if set {
			n, _ = v.int()
		}
		switch billing {
		case "PROVISIONED":
			if n < 1 {
				msgs = append(msgs, fmt.Sprintf("%s must be at least 1 when billing_mode is %q", key, billing))
			}
		case "PAY_PER_REQUEST":
			if n != 0 {
				msgs = append(msgs, fmt.Sprintf("%s can not be set when billing_mode is %q", key, billing))
			}
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return []issue{{summary: strings.Join(msgs, "\n")}}
}

func ruleMetricAlarmStatistic(m *manifest, c check, config tftypes.Value) []issue {
	_, metric := lookup(config, "metric_name")
	_, statistic := lookup(config, "statistic")
	_, extended := lookup(config, "extended_statistic")
	if metric && ((!statistic && !extended) || (statistic && extended)) {
		return []issue{{summary: "One of `statistic` or `extended_statistic` must be set for a cloudwatch metric alarm"}}
	}
	return nil
}

func ruleSNSTopicName(m *manifest, c check, config tftypes.Value) []issue {
	name, ok := cfgStr(config, "name")
	if !ok {
		return nil // generated from name_prefix: not what our stacks do
	}
	fifo := false
	if v, set := lookup(config, "fifo_topic"); set && !v.unknown {
		_ = v.v.As(&fifo)
	}
	re := regexp.MustCompile(`^[0-9A-Za-z_-]{1,256}$`)
	if fifo {
		re = regexp.MustCompile(`^[0-9A-Za-z_-]{1,251}\.fifo$`)
		if !strings.HasSuffix(name, ".fifo") {
			name += ".fifo"
		}
	}
	if !re.MatchString(name) {
		return []issue{{summary: fmt.Sprintf("invalid topic name: %s", name)}}
	}
	return nil
}

// ruleArchiveBuild: the checks archive_file's Read makes while it builds the archive during
// plan (archive type, the source file exists, output_file_mode parses as strconv.ParseUint base 0).
func ruleArchiveBuild(m *manifest, c check, config tftypes.Value) []issue {
	fail := func(err string) []issue {
		return []issue{{summary: "Archive creation error", detail: "error creating archive: " + err}}
	}
	if t, ok := cfgStr(config, "type"); ok && t != "zip" && t != "tar.gz" {
		return fail("archive type not supported: " + t)
	}
	if src, ok := cfgStr(config, "source_file"); ok {
		if _, err := os.Stat(src); err != nil {
			return fail("error archiving file: could not archive missing file: " + src)
		}
	}
	if mode, ok := cfgStr(config, "output_file_mode"); ok && mode != "" {
		if _, err := strconv.ParseUint(mode, 0, 32); err != nil {
			return fail("error archiving file: error parsing output_file_mode value: " + mode)
		}
	}
	return nil
}

func elems(config tftypes.Value, key string) []tftypes.Value {
	v, set := lookup(config, key)
	if !set {
		return nil
	}
	return v.elems()
}
