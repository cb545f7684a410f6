import type { CodePageDef } from './types.ts';

/**
 * Code page 24: RightsManagement (MS-ASWBXML 2.1.2.1.25).
 *
 * Tags exist from protocol 14.1 unless their row gives its own first (and last) version.
 */
export const rightsManagementPage: CodePageDef = {
  page: 24,
  ns: 'RightsManagement',
  section: 'MS-ASWBXML 2.1.2.1.25',
  since: '14.1',
  tags: [
    [0x05, 'RightsManagementSupport'],
    [0x06, 'RightsManagementTemplates'],
    [0x07, 'RightsManagementTemplate'],
    [0x08, 'RightsManagementLicense'],
    [0x09, 'EditAllowed'],
    [0x0A, 'ReplyAllowed'],
    [0x0B, 'ReplyAllAllowed'],
    [0x0C, 'ForwardAllowed'],
    [0x0D, 'ModifyRecipientsAllowed'],
    [0x0E, 'ExtractAllowed'],
    [0x0F, 'PrintAllowed'],
    [0x10, 'ExportAllowed'],
    [0x11, 'ProgrammaticAccessAllowed'],
    [0x12, 'Owner'],
    [0x13, 'ContentExpiryDate'],
    [0x14, 'TemplateID'],
    [0x15, 'TemplateName'],
    [0x16, 'TemplateDescription'],
    [0x17, 'ContentOwner'],
    // The element is RemoveRightsManagementProtection in MS-ASCMD/MS-ASRM usage (ItemOperations
    // Fetch); MS-ASWBXML tables as copied by other implementations call 0x18
    // RemoveRightsManagementDistribution. Decode as the former, accept both for encoding.
    [0x18, 'RemoveRightsManagementProtection'],
    [0x18, 'RemoveRightsManagementDistribution'],
  ],
};
