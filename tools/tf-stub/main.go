// Command tf-stub is a stand-in for hashicorp/aws 6.25.0 and hashicorp/archive 2.7.1 that serves
// the providers' schemas (generated from the cdktf bindings by tools/validate/tf-schema.mjs) through
// terraform-plugin-framework, so that `terraform validate` and `terraform plan` apply Terraform's
// own language, type and ephemeral rules to our stacks without AWS. It never calls AWS: plans
// create everything from empty state, and apply is refused.
//
// One binary serves both providers; the name it is installed under picks which
// (terraform-provider-aws_v6.25.0 or terraform-provider-archive_v2.7.1). The schema is read at
// start from $TF_STUB_SCHEMA_DIR/<provider>.json, so a new resource type needs no rebuild.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	eschema "github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func kitOf(name string, str, num, boolean, dynamic, list, set, mapT, object, listNested, setNested, mapNested, singleNested, nao, lb, sb, snb, nbo any) kit {
	t := reflect.TypeOf
	return kit{name, t(str), t(num), t(boolean), t(dynamic), t(list), t(set), t(mapT), t(object), t(listNested), t(setNested), t(mapNested), t(singleNested), t(nao), t(lb), t(sb), t(snb), t(nbo)}
}

var (
	resourceKit = kitOf("resource", rschema.StringAttribute{}, rschema.NumberAttribute{}, rschema.BoolAttribute{}, rschema.DynamicAttribute{}, rschema.ListAttribute{}, rschema.SetAttribute{}, rschema.MapAttribute{}, rschema.ObjectAttribute{},
		rschema.ListNestedAttribute{}, rschema.SetNestedAttribute{}, rschema.MapNestedAttribute{}, rschema.SingleNestedAttribute{}, rschema.NestedAttributeObject{}, rschema.ListNestedBlock{}, rschema.SetNestedBlock{}, rschema.SingleNestedBlock{}, rschema.NestedBlockObject{})
	dataKit = kitOf("data source", dschema.StringAttribute{}, dschema.NumberAttribute{}, dschema.BoolAttribute{}, dschema.DynamicAttribute{}, dschema.ListAttribute{}, dschema.SetAttribute{}, dschema.MapAttribute{}, dschema.ObjectAttribute{},
		dschema.ListNestedAttribute{}, dschema.SetNestedAttribute{}, dschema.MapNestedAttribute{}, dschema.SingleNestedAttribute{}, dschema.NestedAttributeObject{}, dschema.ListNestedBlock{}, dschema.SetNestedBlock{}, dschema.SingleNestedBlock{}, dschema.NestedBlockObject{})
	ephemeralKit = kitOf("ephemeral resource", eschema.StringAttribute{}, eschema.NumberAttribute{}, eschema.BoolAttribute{}, eschema.DynamicAttribute{}, eschema.ListAttribute{}, eschema.SetAttribute{}, eschema.MapAttribute{}, eschema.ObjectAttribute{},
		eschema.ListNestedAttribute{}, eschema.SetNestedAttribute{}, eschema.MapNestedAttribute{}, eschema.SingleNestedAttribute{}, eschema.NestedAttributeObject{}, eschema.ListNestedBlock{}, eschema.SetNestedBlock{}, eschema.SingleNestedBlock{}, eschema.NestedBlockObject{})
	providerKit = kitOf("provider", pschema.StringAttribute{}, pschema.NumberAttribute{}, pschema.BoolAttribute{}, pschema.DynamicAttribute{}, pschema.ListAttribute{}, pschema.SetAttribute{}, pschema.MapAttribute{}, pschema.ObjectAttribute{},
		pschema.ListNestedAttribute{}, pschema.SetNestedAttribute{}, pschema.MapNestedAttribute{}, pschema.SingleNestedAttribute{}, pschema.NestedAttributeObject{}, pschema.ListNestedBlock{}, pschema.SetNestedBlock{}, pschema.SingleNestedBlock{}, pschema.NestedBlockObject{})
)

type stubProvider struct {
	name   string
	schema *schemaFile
	checks *manifests
}

var (
	_ provider.Provider                       = (*stubProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*stubProvider)(nil)
)

func (p *stubProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = p.name
	resp.Version = p.schema.Version
}

func (p *stubProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	b := p.schema.ProviderConfig
	if b == nil {
		b = &block{}
	}
	s, err := providerKit.schema(reflect.TypeOf(pschema.Schema{}), b, nil)
	if err != nil {
		resp.Diagnostics.AddError("stub provider schema", err.Error())
		return
	}
	resp.Schema = s.Interface().(pschema.Schema)
}

func (p *stubProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *stubProvider) Resources(context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for _, name := range sortedKeys(p.schema.Resources) {
		r := &stubResource{typeName: name, block: p.schema.Resources[name], checks: p.checks.get("resource", name)}
		out = append(out, func() resource.Resource { return r })
	}
	return out
}

func (p *stubProvider) DataSources(context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	for _, name := range sortedKeys(p.schema.DataSources) {
		d := &stubDataSource{typeName: name, block: p.schema.DataSources[name], checks: p.checks.get("data", name)}
		out = append(out, func() datasource.DataSource { return d })
	}
	return out
}

func (p *stubProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	var out []func() ephemeral.EphemeralResource
	for _, name := range sortedKeys(p.schema.EphemeralResources) {
		e := &stubEphemeral{typeName: name, block: p.schema.EphemeralResources[name], checks: p.checks.get("ephemeral", name)}
		out = append(out, func() ephemeral.EphemeralResource { return e })
	}
	return out
}

func main() {
	debug := flag.Bool("debug", false, "serve in debug mode")
	checkManifest := flag.Bool("check-manifest", false, "load and check the embedded validator manifest, print its summary as JSON, exit")
	flag.Parse()
	checks, err := loadManifests()
	if err != nil {
		log.Fatalf("tf-stub: validator manifest: %v", err)
	}
	if *checkManifest {
		out, _ := json.MarshalIndent(checks.summary(), "", " ")
		fmt.Println(string(out))
		return
	}
	exe := filepath.Base(os.Args[0])
	name := "aws"
	if strings.Contains(exe, "archive") {
		name = "archive"
	}
	dir := os.Getenv("TF_STUB_SCHEMA_DIR")
	if dir == "" {
		if self, err := os.Executable(); err == nil {
			dir = filepath.Dir(self)
		}
	}
	s, err := loadSchema(filepath.Join(dir, name+".json"))
	if err != nil {
		log.Fatalf("tf-stub: %v (set TF_STUB_SCHEMA_DIR to the directory of tools/validate/tf-schema.mjs's output)", err)
	}
	err = providerserver.Serve(context.Background(), func() provider.Provider { return &stubProvider{name: name, schema: s, checks: checks} }, providerserver.ServeOpts{
		Address:         fmt.Sprintf("registry.terraform.io/%s", s.Provider),
		Debug:           *debug,
		ProtocolVersion: 6,
	})
	if err != nil {
		log.Fatal(err)
	}
}
