from django.contrib import admin

from portcontrol.audit.admin_mixin import AuditedAdminMixin

from .models import ContainerType, Country, Currency, HsCode, Port, ReferenceDataset


@admin.register(Country)
class CountryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "alpha3", "name_en", "name_ru", "region")
    search_fields = ("code", "alpha3", "name_en", "name_ru")


@admin.register(Port)
class PortAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("locode", "name", "country", "functions", "latitude", "longitude", "source")
    search_fields = ("locode", "name")
    list_filter = ("country",)


@admin.register(HsCode)
class HsCodeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "level", "section", "description")
    search_fields = ("code", "description")
    list_filter = ("level", "section")


@admin.register(ContainerType)
class ContainerTypeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "description", "length_ft", "height_ft", "group")
    search_fields = ("code", "description")


@admin.register(Currency)
class CurrencyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "numeric", "minor_unit")
    search_fields = ("code", "name")


@admin.register(ReferenceDataset)
class ReferenceDatasetAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "rows", "checksum", "loaded_at")
    readonly_fields = ("name", "rows", "checksum", "loaded_at")
