export { Iso20022Connector, DEFAULT_DEBTOR, iso20022OptionsFromEnv, type Iso20022Options } from "./connector";
export * from "./messages";
export { XmlError, parseXml, escapeXml, xmlDocument, writeXml, type XmlElement, type XmlNode } from "./xml";
