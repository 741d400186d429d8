package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// stubResource plans like the real resource would at creation (the framework marks unset
// computed attributes unknown) and refuses to apply: nothing here may pretend AWS accepted it.
type stubResource struct {
	typeName string
	block    *block
	checks   *manifest
}

var (
	_ resource.ResourceWithValidateConfig = (*stubResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*stubResource)(nil)
)

// ValidateConfig runs the manifest's whole-resource validate-time checks (attribute checks are
// validators in the schema).
func (r *stubResource) ValidateConfig(_ context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if r.checks != nil {
		resp.Diagnostics.Append(configRules(r.checks, req.Config.Raw)...)
	}
}

// ModifyPlan runs the manifest's plan rules (the provider's CustomizeDiff) on a resource planned
// for creation; every plan from empty state is one.
func (r *stubResource) ModifyPlan(_ context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.checks == nil || req.Plan.Raw.IsNull() {
		return
	}
	resp.Diagnostics.Append(planChecks(r.checks, req.Config.Raw)...)
}

func (r *stubResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.typeName
}

func (r *stubResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	s, err := resourceKit.schema(reflect.TypeOf(rschema.Schema{}), r.block, r.checks)
	if err != nil {
		resp.Diagnostics.AddError("stub schema of "+r.typeName, err.Error())
		return
	}
	resp.Schema = s.Interface().(rschema.Schema)
}

const noApply = "This is the schema stub used by `npm run validate`; it plans but never applies."

func (r *stubResource) Create(_ context.Context, _ resource.CreateRequest, resp *resource.CreateResponse) {
	resp.Diagnostics.AddError("stub provider cannot create "+r.typeName, noApply)
}
func (r *stubResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}
func (r *stubResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.AddError("stub provider cannot update "+r.typeName, noApply)
}
func (r *stubResource) Delete(_ context.Context, _ resource.DeleteRequest, resp *resource.DeleteResponse) {
	resp.Diagnostics.AddError("stub provider cannot delete "+r.typeName, noApply)
}

// stubDataSource returns its configuration with computed attributes null; archive_file really
// builds its archive, so the hashes a Lambda function's source_code_hash reads are real.
type stubDataSource struct {
	typeName string
	block    *block
	checks   *manifest
}

var _ datasource.DataSourceWithValidateConfig = (*stubDataSource)(nil)

func (d *stubDataSource) ValidateConfig(_ context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	if d.checks != nil {
		resp.Diagnostics.Append(configRules(d.checks, req.Config.Raw)...)
	}
}

func (d *stubDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = d.typeName
}

func (d *stubDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	s, err := dataKit.schema(reflect.TypeOf(dschema.Schema{}), d.block, d.checks)
	if err != nil {
		resp.Diagnostics.AddError("stub schema of "+d.typeName, err.Error())
		return
	}
	resp.Schema = s.Interface().(dschema.Schema)
}

func (d *stubDataSource) Read(_ context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.checks != nil {
		// A data source is read during plan: its provider's Read-time checks fail the plan.
		resp.Diagnostics.Append(planChecks(d.checks, req.Config.Raw)...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if d.typeName != "archive_file" {
		resp.State.Raw = req.Config.Raw
		return
	}
	attrs, err := objectAttrs(req.Config.Raw)
	if err == nil {
		err = buildArchive(attrs)
	}
	if err != nil {
		resp.Diagnostics.AddError("archive_file", err.Error())
		return
	}
	resp.State.Raw = tftypes.NewValue(req.Config.Raw.Type(), attrs)
}

func objectAttrs(v tftypes.Value) (map[string]tftypes.Value, error) {
	m := map[string]tftypes.Value{}
	return m, v.As(&m)
}

func str(attrs map[string]tftypes.Value, name string) string {
	var s string
	if v, ok := attrs[name]; ok && v.IsKnown() && !v.IsNull() {
		_ = v.As(&s)
	}
	return s
}

// buildArchive zips source_file or source_content (what our stacks use; source_dir and source
// blocks are refused rather than half-supported) into output_path and fills the outputs.
func buildArchive(attrs map[string]tftypes.Value) error {
	if t := str(attrs, "type"); t != "zip" {
		return fmt.Errorf("type %q: the stub builds zip archives only", t)
	}
	var name string
	var content []byte
	switch {
	case str(attrs, "source_file") != "":
		src := str(attrs, "source_file")
		b, err := os.ReadFile(src)
		if err != nil {
			return fmt.Errorf("source_file: %w", err)
		}
		name, content = filepath.Base(src), b
	case str(attrs, "source_content_filename") != "":
		name, content = str(attrs, "source_content_filename"), []byte(str(attrs, "source_content"))
	default:
		return fmt.Errorf("the stub supports source_file and source_content only")
	}
	mode := os.FileMode(0o644)
	if m := str(attrs, "output_file_mode"); m != "" {
		n, err := strconv.ParseUint(m, 0, 32) // as the archive provider parses it
		if err != nil {
			return fmt.Errorf("output_file_mode %q: %w", m, err)
		}
		mode = os.FileMode(n)
	}
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2049, 1, 1, 0, 0, 0, 0, time.UTC)}
	h.SetMode(mode)
	f, err := w.CreateHeader(h)
	if err == nil {
		_, err = f.Write(content)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return err
	}
	out := str(attrs, "output_path")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), mode); err != nil {
		return err
	}
	z := buf.Bytes()
	s1, s256, s512, m5 := sha1.Sum(z), sha256.Sum256(z), sha512.Sum512(z), md5.Sum(z)
	set := func(k, v string) { attrs[k] = tftypes.NewValue(tftypes.String, v) }
	set("id", hex.EncodeToString(s1[:]))
	set("output_sha", hex.EncodeToString(s1[:]))
	set("output_sha256", hex.EncodeToString(s256[:]))
	set("output_base64sha256", base64.StdEncoding.EncodeToString(s256[:]))
	set("output_sha512", hex.EncodeToString(s512[:]))
	set("output_base64sha512", base64.StdEncoding.EncodeToString(s512[:]))
	set("output_md5", hex.EncodeToString(m5[:]))
	attrs["output_size"] = tftypes.NewValue(tftypes.Number, big.NewFloat(float64(len(z))))
	return nil
}

// stubEphemeral opens aws_secretsmanager_random_password with a locally generated password
// honouring the GetRandomPassword arguments; other ephemeral types echo their configuration.
type stubEphemeral struct {
	typeName string
	block    *block
	checks   *manifest
}

var _ ephemeral.EphemeralResourceWithValidateConfig = (*stubEphemeral)(nil)

func (e *stubEphemeral) ValidateConfig(_ context.Context, req ephemeral.ValidateConfigRequest, resp *ephemeral.ValidateConfigResponse) {
	if e.checks != nil {
		resp.Diagnostics.Append(configRules(e.checks, req.Config.Raw)...)
	}
}

func (e *stubEphemeral) Metadata(_ context.Context, _ ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = e.typeName
}

func (e *stubEphemeral) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	s, err := ephemeralKit.schema(reflect.TypeOf(eschema.Schema{}), e.block, e.checks)
	if err != nil {
		resp.Diagnostics.AddError("stub schema of "+e.typeName, err.Error())
		return
	}
	resp.Schema = s.Interface().(eschema.Schema)
}

func (e *stubEphemeral) Open(_ context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	attrs, err := objectAttrs(req.Config.Raw)
	if err != nil {
		resp.Diagnostics.AddError(e.typeName, err.Error())
		return
	}
	if e.typeName == "aws_secretsmanager_random_password" {
		length := 32
		if v := attrs["password_length"]; !v.IsNull() {
			var f big.Float
			_ = v.As(&f)
			n, _ := f.Int64()
			length = int(n)
		}
		alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
		var b bool
		if v := attrs["exclude_punctuation"]; !v.IsNull() && v.As(&b) == nil && b {
			alphabet = alphabet[:62]
		}
		for _, c := range str(attrs, "exclude_characters") {
			alphabet = strings.ReplaceAll(alphabet, string(c), "")
		}
		out := make([]byte, length)
		for i := range out {
			n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			out[i] = alphabet[n.Int64()]
		}
		attrs["random_password"] = tftypes.NewValue(tftypes.String, string(out))
	}
	resp.Result.Raw = tftypes.NewValue(req.Config.Raw.Type(), attrs)
}
